import { describe, expect, it } from 'vitest';
import { defaultPlaybook, matchingSteps, playbookSteps, plannedTasks } from '../../../src/incidents/playbook.ts';

const keys = (severity: number, riskCategories: string[] = []) =>
  matchingSteps(defaultPlaybook, { severity, riskCategories }).map((s) => s.key);

describe('default playbook (DOMAIN.md §4)', () => {
  it('ships the seven steps in Japanese with owners, due offsets and checklists', () => {
    const titles = defaultPlaybook.steps.map((s) => s.title);
    for (const t of [
      '事実確認',
      '院内エスカレーション',
      '公式見解・謝罪',
      '投稿削除の判断',
      'メディア対応',
      '職員の個人アカウント',
      '再発防止・体制見直し',
    ])
      expect(titles).toContain(t);
    const byKey = Object.fromEntries(defaultPlaybook.steps.map((s) => [s.key, s]));
    expect(byKey['internal-escalation']!.dueOffsetMinutes).toBe(60);
    expect(byKey['official-statement']!.dueOffsetMinutes).toBe(24 * 60);
    for (const s of defaultPlaybook.steps) expect(s.checklist.length).toBeGreaterThan(0);
  });

  it('a low-severity incident gets the basics only', () => {
    expect(keys(2)).toEqual(['fact-check', 'internal-escalation', 'prevention']);
  });

  it('severity 3 adds the statement and the deletion decision; 4 adds media', () => {
    expect(keys(3)).toEqual(['fact-check', 'internal-escalation', 'official-statement', 'post-deletion', 'prevention']);
    expect(keys(4)).toContain('media-response');
    expect(keys(3)).not.toContain('media-response');
  });

  it('個人情報・プライバシー adds the report-to-authorities decision', () => {
    expect(keys(2, ['個人情報・プライバシー'])).toContain('authority-report');
    expect(keys(5)).not.toContain('authority-report');
  });

  it('医療過誤・誤診 adds 医療安全管理室 and legal review', () => {
    const k = keys(3, ['医療過誤・誤診']);
    expect(k).toContain('medical-safety');
    expect(k).toContain('legal-review');
    expect(k).not.toContain('staff-accounts');
  });

  it('職員の不適切投稿 adds the staff-account step', () => {
    expect(keys(3, ['職員の不適切投稿'])).toContain('staff-accounts');
    expect(keys(3, ['接遇・態度'])).not.toContain('staff-accounts');
  });
});

describe('planned tasks', () => {
  const detectedAt = new Date('2026-11-25T01:00:00Z');
  it('are due from detection', () => {
    const tasks = plannedTasks(defaultPlaybook, { severity: 3, riskCategories: [], detectedAt }, new Set());
    const esc = tasks.find((t) => t.stepKey === 'internal-escalation')!;
    expect(esc).toMatchObject({ title: '院内エスカレーション', ownerRole: 'oncall_manager', dueAt: new Date('2026-11-25T02:00:00Z') });
  });

  it("raising severity adds only the higher level's steps", () => {
    const first = plannedTasks(defaultPlaybook, { severity: 3, riskCategories: [], detectedAt }, new Set());
    const more = plannedTasks(defaultPlaybook, { severity: 4, riskCategories: [], detectedAt }, new Set(first.map((t) => t.stepKey)));
    expect(more.map((t) => t.stepKey)).toEqual(['media-response']);
  });
});

describe('playbook validation (API input is hostile)', () => {
  const step = { key: 'a', title: 'A', ownerRole: 'pr_staff', dueOffsetMinutes: 10, checklist: ['x'], when: {} };
  const bad: [string, unknown][] = [
    ['not an array', { steps: 1 }],
    ['empty', []],
    ['unknown role', [{ ...step, ownerRole: 'ceo' }]],
    ['negative offset', [{ ...step, dueOffsetMinutes: -1 }]],
    ['fractional offset', [{ ...step, dueOffsetMinutes: 1.5 }]],
    ['severity out of range', [{ ...step, when: { minSeverity: 6 } }]],
    ['unknown field', [{ ...step, owner: 'x' }]],
    ['unknown condition', [{ ...step, when: { sentiment: 'x' } }]],
    ['duplicate keys', [step, step]],
    ['bad key', [{ ...step, key: 'A B' }]],
    ['huge checklist', [{ ...step, checklist: Array.from({ length: 31 }, () => 'x') }]],
    ['too many steps', Array.from({ length: 51 }, (_, i) => ({ ...step, key: `s${i}` }))],
  ];
  for (const [name, input] of bad) {
    it(`refuses ${name}`, () => expect(playbookSteps.safeParse(input).success).toBe(false));
  }
  it('accepts a valid one', () => {
    // Steps are required unless they say otherwise (a response step nobody decided on blocks resolving).
    expect(playbookSteps.parse([step])).toEqual([{ ...step, required: true }]);
    expect(playbookSteps.parse([{ ...step, required: false }])[0]!.required).toBe(false);
    expect(playbookSteps.safeParse([{ ...step, required: 'no' }]).success).toBe(false);
  });
});
