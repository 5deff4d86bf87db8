import { z } from '@hono/zod-openapi';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import {
  cleanText,
  ErrorBody,
  id,
  idParam,
  itemsOf,
  jsonAnswer,
  jsonBody,
  optionalJsonBody,
  orgParams,
  query,
  time,
  timeInput,
} from '../http/schemas.ts';
import { findIncident } from '../incident-record/incident.ts';
import { approveStatement } from './approve-statement.ts';
import { checkStoredStatement, checkText } from './check-statement.ts';
import { checkRules } from './checker.ts';
import { createStatement, maxBodyChars, maxTitleChars } from './create-statement.ts';
import { editStatement } from './edit-statement.ts';
import { statementKinds, statementStatuses } from './lifecycle.ts';
import { publishStatement } from './publish-statement.ts';
import { getStatement, listStatements } from './queries.ts';
import { rejectStatement } from './reject-statement.ts';
import { submitStatement } from './submit-statement.ts';
import { statementTemplates } from './templates.ts';
import { withdrawStatement } from './withdraw-statement.ts';

// Statements (holding statement, apology, review reply), their checker and approval under
// /organizations/{orgId}.

const conflict = {
  409: jsonAnswer(
    ErrorBody,
    '状態が変わっていた・版が古い (conflict: the statement changed meanwhile, or this move is not allowed from its status)',
  ),
};

const kind = z.enum(statementKinds);
const Finding = z
  .object({
    id: z.string().openapi({ description: '上書き承認で指定する識別子 (name it in overrides)' }),
    rule: z.enum(checkRules),
    severity: z.enum(['block', 'warn']),
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    excerpt: z.string().openapi({ description: '該当箇所 (個人情報はマスク済み)' }),
    message_ja: z.string(),
    advice_ja: z.string(),
    overridable: z.boolean(),
  })
  .openapi('StatementFinding');

const Statement = z
  .object({
    id: id(),
    orgId: id(),
    incidentId: id(),
    kind,
    title: z.string(),
    body: z.string(),
    status: z.enum(statementStatuses),
    version: z.number().int().min(1),
    templateKey: z.string().nullable(),
    authorId: z.string(),
    submittedBy: z.string().nullable(),
    submittedAt: time().nullable(),
    approvedBy: z.string().nullable(),
    approvedAt: time().nullable(),
    overrides: z.array(z.object({ findingId: z.string(), rule: z.string(), excerpt: z.string(), reason: z.string() })),
    rejectedBy: z.string().nullable(),
    rejectedAt: time().nullable(),
    rejectReason: z.string().nullable(),
    publishedAt: time().nullable(),
    withdrawnAt: time().nullable(),
    withdrawReason: z.string().nullable(),
    findings: z.array(Finding.extend({ field: z.enum(['title', 'body']) })),
    checkedAt: time().nullable(),
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi('Statement');

const version = (read: string) =>
  z
    .number({ error: `version must be the statement version you ${read} (a positive integer)` })
    .int(`version must be the statement version you ${read} (a positive integer)`)
    .min(1, `version must be the statement version you ${read} (a positive integer)`)
    .openapi({ description: '読んだ・編集した版 (the version you read)' });
const Reason = z.strictObject({ reason: cleanText(2000) });

const incidentParams = orgParams.extend({ incidentId: idParam() });
const statementParams = incidentParams.extend({ statementId: idParam() });
const one = '/organizations/{orgId}/incidents/{incidentId}/statements/{statementId}';

export const statementRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/statement-templates',
      action: 'statements.read',
      operationId: 'listStatementTemplates',
      tags: ['statements'],
      summary: '声明文のテンプレート (第一報・謝罪文・口コミへの返信)',
      request: { params: orgParams },
      responses: {
        200: jsonAnswer(
          itemsOf(
            z
              .object({ key: z.string(), kind, label_ja: z.string(), guidance_ja: z.string(), title: z.string(), body: z.string() })
              .openapi('StatementTemplate'),
          ),
        ),
      },
    },
    () => async (c) => c.json({ items: [...statementTemplates] }, 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/statement-checks',
      action: 'statements.read',
      operationId: 'checkStatementText',
      tags: ['statements'],
      summary: '文面のチェック (保存しない): 逆効果の謝罪表現・受診の事実や診療内容 (守秘義務)・個人情報',
      request: { params: orgParams, body: jsonBody(z.strictObject({ text: cleanText(maxBodyChars + 200), kind })) },
      responses: { 200: jsonAnswer(z.object({ kind, findings: z.array(Finding) })) },
    },
    () => async (c) => c.json(await checkText(c.req.valid('json')), 200),
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/incidents/{incidentId}/statements',
      action: 'statements.read',
      operationId: 'listStatements',
      tags: ['statements'],
      summary: 'インシデントの声明文 (statements of an incident)',
      request: {
        params: incidentParams,
        query: z.strictObject({ status: query.oneOf(statementStatuses), kind: query.oneOf(statementKinds) }),
      },
      responses: { 200: jsonAnswer(itemsOf(Statement)) },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      // An unknown incident is a 404, not an empty list.
      await findIncident(ctx.sql, orgId, incidentId);
      return c.json({ items: await listStatements(ctx.sql, orgId, incidentId, c.req.valid('query')) }, 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/incidents/{incidentId}/statements',
      action: 'statements.write',
      operationId: 'createStatement',
      tags: ['statements'],
      summary: '下書きを作成 (title・body を省くとテンプレートから: 組織名と日付 (JST) を差し込み)',
      request: {
        params: incidentParams,
        body: jsonBody(
          z.strictObject({
            kind,
            template: cleanText(100).optional(),
            title: cleanText(maxTitleChars).optional(),
            body: cleanText(maxBodyChars).optional(),
          }),
        ),
      },
      responses: { 201: jsonAnswer(Statement, 'Created'), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await createStatement(ctx, orgId, incidentId, c.req.valid('json'), requestActor(c)), 201);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: one,
      action: 'statements.read',
      operationId: 'getStatement',
      tags: ['statements'],
      summary: '声明文とすべての版 (a statement with every version)',
      request: { params: statementParams },
      responses: {
        200: jsonAnswer(
          Statement.extend({
            versions: z.array(
              z.object({ version: z.number().int(), title: z.string(), body: z.string(), editedBy: z.string(), editedAt: time() }),
            ),
          }).openapi('StatementWithVersions'),
        ),
      },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      return c.json(await getStatement(ctx.sql, orgId, incidentId, statementId), 200);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: one,
      action: 'statements.write',
      operationId: 'editStatement',
      tags: ['statements'],
      summary: '編集 (下書き・差し戻しのみ。新しい版になる)',
      request: {
        params: statementParams,
        body: jsonBody(
          z
            .strictObject({
              version: version('edited'),
              title: cleanText(maxTitleChars).optional(),
              body: cleanText(maxBodyChars).optional(),
            })
            .refine((b) => b.title !== undefined || b.body !== undefined, 'give title and/or body'),
        ),
      },
      responses: { 200: jsonAnswer(Statement), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      return c.json(await editStatement(ctx, orgId, incidentId, statementId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${one}/check`,
      action: 'statements.write',
      operationId: 'checkStatement',
      tags: ['statements'],
      summary: 'チェックを実行して指摘を保存 (run the checker, store findings)',
      request: { params: statementParams },
      responses: { 200: jsonAnswer(Statement), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      return c.json(await checkStoredStatement(ctx, orgId, incidentId, statementId, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${one}/submit`,
      action: 'statements.write',
      operationId: 'submitStatement',
      tags: ['statements'],
      summary: 'レビューに提出 (チェックを実行。記入欄の残り・マイナンバー等があれば 400)',
      request: { params: statementParams },
      responses: { 200: jsonAnswer(Statement), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      return c.json(await submitStatement(ctx, orgId, incidentId, statementId, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${one}/approve`,
      action: 'statements.approve',
      operationId: 'approveStatement',
      tags: ['statements'],
      summary: '承認 (作成・編集・提出した人以外。要確認の指摘は理由を付けて一件ずつ上書き)',
      request: {
        params: statementParams,
        body: jsonBody(
          z.strictObject({
            version: version('reviewed'),
            overrides: z
              .array(z.strictObject({ findingId: cleanText(200), reason: cleanText(1000, 4) }))
              .max(100, 'overrides must be an array of at most 100 {findingId, reason}')
              .optional()
              .default([]),
          }),
        ),
      },
      responses: { 200: jsonAnswer(Statement), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      return c.json(await approveStatement(ctx, orgId, incidentId, statementId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${one}/reject`,
      action: 'statements.approve',
      operationId: 'rejectStatement',
      tags: ['statements'],
      summary: '差し戻し (理由付き)',
      request: { params: statementParams, body: jsonBody(Reason) },
      responses: { 200: jsonAnswer(Statement), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      return c.json(await rejectStatement(ctx, orgId, incidentId, statementId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${one}/publish`,
      action: 'statements.write',
      operationId: 'publishStatement',
      tags: ['statements'],
      summary: '公開済みにする (承認済みのみ。最初の公開がインシデントの first_response_at になる)',
      request: {
        params: statementParams,
        body: optionalJsonBody(
          z.strictObject({ at: timeInput().nullable().optional().openapi({ description: '実際に公開した時刻 (過去にさかのぼって記録)' }) }),
        ),
      },
      responses: {
        200: jsonAnswer(Statement.extend({ incidentFirstResponseAt: time().nullable() }).openapi('PublishedStatement')),
        ...conflict,
      },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      const { at } = c.req.valid('json');
      return c.json(await publishStatement(ctx, orgId, incidentId, statementId, at ? { at } : {}, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${one}/withdraw`,
      action: 'statements.write',
      operationId: 'withdrawStatement',
      tags: ['statements'],
      summary: '取り下げ (理由付き)',
      request: { params: statementParams, body: jsonBody(Reason) },
      responses: { 200: jsonAnswer(Statement), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, statementId } = c.req.valid('param');
      return c.json(await withdrawStatement(ctx, orgId, incidentId, statementId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),
];
