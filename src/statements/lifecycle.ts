// The statement state machine as data, like src/incidents/lifecycle.ts: every allowed move is one
// row; anything not listed is refused with 409. Editing is not a move (status stays) and is allowed
// only where `editableStatuses` says.

export const statementKinds = ['holding', 'apology', 'review_reply'] as const;
export type StatementKind = (typeof statementKinds)[number];

export const statementStatuses = ['draft', 'in_review', 'approved', 'rejected', 'published', 'withdrawn'] as const;
export type StatementStatus = (typeof statementStatuses)[number];

/** Only unreviewed text may change: an approved body is exactly what the second person read. */
export const editableStatuses: readonly StatementStatus[] = ['draft', 'rejected'];

export type StatementMove = 'submit' | 'approve' | 'reject' | 'publish' | 'withdraw';

export interface StatementTransition {
  from: StatementStatus;
  to: StatementStatus;
  move: StatementMove;
}

export const statementTransitions: readonly StatementTransition[] = [
  { from: 'draft', to: 'in_review', move: 'submit' },
  // A rejected statement is edited and submitted again (a new version).
  { from: 'rejected', to: 'in_review', move: 'submit' },
  { from: 'in_review', to: 'approved', move: 'approve' },
  { from: 'in_review', to: 'rejected', move: 'reject' },
  { from: 'approved', to: 'published', move: 'publish' },
  // Withdrawn is the end: a draft abandoned, an approval not used, a published text taken down.
  { from: 'draft', to: 'withdrawn', move: 'withdraw' },
  { from: 'in_review', to: 'withdrawn', move: 'withdraw' },
  { from: 'approved', to: 'withdrawn', move: 'withdraw' },
  { from: 'rejected', to: 'withdrawn', move: 'withdraw' },
  { from: 'published', to: 'withdrawn', move: 'withdraw' },
];

export function findStatementTransition(from: StatementStatus, move: StatementMove): StatementTransition | undefined {
  return statementTransitions.find((t) => t.from === from && t.move === move);
}

export const kindLabels: Record<StatementKind, string> = {
  holding: '第一報・お詫びと調査中のお知らせ',
  apology: '謝罪文',
  review_reply: '口コミへの返信',
};

export const statementStatusLabels: Record<StatementStatus, string> = {
  draft: '下書き',
  in_review: '承認待ち',
  approved: '承認済み',
  rejected: '差し戻し',
  published: '公開済み',
  withdrawn: '取り下げ',
};
