import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../../src/statements/run-checker.ts';

describe('checkDocument (title and body, PII with the tokenizer)', () => {
  it('findings say which field they are in, with offsets into that field', async () => {
    const title = '誤解を招く投稿についてのお知らせ';
    const body = '当院としては、そのような事実は断じてございません。判明し次第ご報告します。';
    const findings = await checkDocument(title, body, 'holding');
    const t = findings.find((f) => f.rule === 'blames_misunderstanding')!;
    expect(t).toMatchObject({ field: 'title', id: 'title:blames_misunderstanding:0-4' });
    expect(title.slice(t.start, t.end)).toBe(t.excerpt);
    const b = findings.find((f) => f.rule === 'categorical_denial')!;
    expect(b.field).toBe('body');
    expect(body.slice(b.start, b.end)).toBe(b.excerpt);
  }, 30_000);

  it('an account of what happened in the body answers 「ご不快な思い」 in the title', async () => {
    const title = 'ご不快な思いをおかけしたことへのお詫び';
    expect((await checkDocument(title, 'お詫びいたします。', 'holding')).map((f) => f.rule)).toContain('discomfort_without_account');
    const account = '11月20日、職員が不適切な発言をしたことが判明しました。判明し次第ご報告します。';
    expect((await checkDocument(title, account, 'holding')).map((f) => f.rule)).not.toContain('discomfort_without_account');
  });

  it("a private person's name with an honorific blocks, masked in the excerpt", async () => {
    const findings = await checkDocument('口コミへの返信', '山田太郎様、ご意見をありがとうございます。', 'review_reply');
    const name = findings.find((f) => f.rule === 'pii')!;
    expect(name).toMatchObject({ severity: 'block', excerpt: '[氏名]', field: 'body' });
    expect(JSON.stringify(findings)).not.toContain('山田');
  });
});
