import type { Operation } from '../openapi/operations.ts';
import { arr, bool, id, int, itemsOf, nullable, obj, oneOfValues, str, time } from '../openapi/schema.ts';
import { checkRules } from './checker.ts';
import { maxBodyChars, maxTitleChars } from './create-statement.ts';
import { statementKinds, statementStatuses } from './lifecycle.ts';

// The OpenAPI operations of src/statements/routes.ts, listed in src/openapi/operations.ts.

const org = '/organizations/:orgId';
const one = `${org}/incidents/:incidentId/statements/:statementId`;
const conflict = { 409: '状態が変わっていた・版が古い (conflict: the statement changed meanwhile, or this move is not allowed from its status)' };

const finding = obj({
  id: str({ description: '上書き承認で指定する識別子 (name it in overrides)' }), rule: oneOfValues(checkRules), severity: oneOfValues(['block', 'warn']),
  start: int({ minimum: 0 }), end: int({ minimum: 0 }), excerpt: str({ description: '該当箇所 (個人情報はマスク済み)' }),
  message_ja: str(), advice_ja: str(), overridable: bool(),
});
const documentFinding = { allOf: [finding, obj({ field: oneOfValues(['title', 'body']) })] };
const statement = obj({
  id: id(), orgId: id(), incidentId: id(), kind: oneOfValues(statementKinds), title: str(), body: str(), status: oneOfValues(statementStatuses),
  version: int({ minimum: 1 }), templateKey: nullable(str()), authorId: str(),
  submittedBy: nullable(str()), submittedAt: nullable(time()), approvedBy: nullable(str()), approvedAt: nullable(time()),
  overrides: arr(obj({ findingId: str(), rule: str(), excerpt: str(), reason: str() })),
  rejectedBy: nullable(str()), rejectedAt: nullable(time()), rejectReason: nullable(str()),
  publishedAt: nullable(time()), withdrawnAt: nullable(time()), withdrawReason: nullable(str()),
  findings: arr(documentFinding), checkedAt: nullable(time()), createdAt: time(), updatedAt: time(),
});
const version = int({ minimum: 1, description: '読んだ・編集した版 (the version you read)' });
const reason = obj({ reason: str({ maxLength: 2000 }) }, { closed: true });

export const statementOperations: Operation[] = [
  {
    id: 'listStatementTemplates', method: 'get', path: `${org}/statement-templates`, tag: 'statements',
    summary: '声明文のテンプレート (第一報・謝罪文・口コミへの返信)',
    ok: { schema: itemsOf(obj({ key: str(), kind: oneOfValues(statementKinds), label_ja: str(), guidance_ja: str(), title: str(), body: str() })) },
  },
  {
    id: 'checkStatementText', method: 'post', path: `${org}/statement-checks`, tag: 'statements',
    summary: '文面のチェック (保存しない): 逆効果の謝罪表現・受診の事実や診療内容 (守秘義務)・個人情報',
    body: obj({ text: str({ maxLength: maxBodyChars + 200 }), kind: oneOfValues(statementKinds) }, { closed: true }),
    ok: { schema: obj({ kind: oneOfValues(statementKinds), findings: arr(finding) }) },
  },
  {
    id: 'listStatements', method: 'get', path: `${org}/incidents/:incidentId/statements`, tag: 'statements', summary: 'インシデントの声明文 (statements of an incident)',
    query: { status: oneOfValues(statementStatuses), kind: oneOfValues(statementKinds) }, ok: { schema: itemsOf(statement) },
  },
  {
    id: 'createStatement', method: 'post', path: `${org}/incidents/:incidentId/statements`, tag: 'statements',
    summary: '下書きを作成 (title・body を省くとテンプレートから: 組織名と日付 (JST) を差し込み)',
    body: obj({ kind: oneOfValues(statementKinds), 'template?': str({ maxLength: 100 }), 'title?': str({ maxLength: maxTitleChars }), 'body?': str({ maxLength: maxBodyChars }) }, { closed: true }),
    ok: { status: 201, schema: statement }, errors: conflict,
  },
  {
    id: 'getStatement', method: 'get', path: one, tag: 'statements', summary: '声明文とすべての版 (a statement with every version)',
    ok: { schema: { allOf: [statement, obj({ versions: arr(obj({ version: int(), title: str(), body: str(), editedBy: str(), editedAt: time() })) })] } },
  },
  {
    id: 'editStatement', method: 'patch', path: one, tag: 'statements', summary: '編集 (下書き・差し戻しのみ。新しい版になる)',
    body: obj({ version, 'title?': str({ maxLength: maxTitleChars }), 'body?': str({ maxLength: maxBodyChars }) }, { closed: true }),
    ok: { schema: statement }, errors: conflict,
  },
  { id: 'checkStatement', method: 'post', path: `${one}/check`, tag: 'statements', summary: 'チェックを実行して指摘を保存 (run the checker, store findings)', ok: { schema: statement }, errors: conflict },
  {
    id: 'submitStatement', method: 'post', path: `${one}/submit`, tag: 'statements',
    summary: 'レビューに提出 (チェックを実行。記入欄の残り・マイナンバー等があれば 400)', ok: { schema: statement }, errors: conflict,
  },
  {
    id: 'approveStatement', method: 'post', path: `${one}/approve`, tag: 'statements',
    summary: '承認 (作成・編集・提出した人以外。要確認の指摘は理由を付けて一件ずつ上書き)',
    body: obj({ version, 'overrides?': arr(obj({ findingId: str({ maxLength: 200 }), reason: str({ minLength: 4, maxLength: 1000 }) }, { closed: true }), { maxItems: 100 }) }, { closed: true }),
    ok: { schema: statement }, errors: { ...conflict, 403: '作成者・編集者・提出者は承認できない (four eyes)' },
  },
  { id: 'rejectStatement', method: 'post', path: `${one}/reject`, tag: 'statements', summary: '差し戻し (理由付き)', body: reason, ok: { schema: statement }, errors: conflict },
  {
    id: 'publishStatement', method: 'post', path: `${one}/publish`, tag: 'statements',
    summary: '公開済みにする (承認済みのみ。最初の公開がインシデントの first_response_at になる)',
    body: obj({ 'at?': time({ description: '実際に公開した時刻 (過去にさかのぼって記録)' }) }, { closed: true }),
    ok: { schema: { allOf: [statement, obj({ incidentFirstResponseAt: nullable(time()) })] } }, errors: conflict,
  },
  { id: 'withdrawStatement', method: 'post', path: `${one}/withdraw`, tag: 'statements', summary: '取り下げ (理由付き)', body: reason, ok: { schema: statement }, errors: conflict },
];
