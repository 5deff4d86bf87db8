// The life of the clinic's own post: 下書き → 確認中 → 承認済み (N reviewers) → 予約済み → 公開済み,
// and 取り下げ from anywhere. An edit is allowed until it is published and sends an approved or
// scheduled post back to 確認中: the approvals it had were of another text. A published post may
// have its address or platform id given later (link), so its replies are watched from then on.

export const postStatuses = ['draft', 'in_review', 'approved', 'scheduled', 'published', 'withdrawn'] as const;
export type PostStatus = (typeof postStatuses)[number];

export const postMoves = ['edit', 'submit', 'approve', 'schedule', 'publish', 'link', 'withdraw'] as const;
export type PostMove = (typeof postMoves)[number];

const allowed: Record<PostMove, readonly PostStatus[]> = {
  edit: ['draft', 'in_review', 'approved', 'scheduled'],
  submit: ['draft'],
  approve: ['in_review'],
  schedule: ['approved', 'scheduled'],
  publish: ['approved', 'scheduled'],
  link: ['published'],
  withdraw: ['draft', 'in_review', 'approved', 'scheduled', 'published'],
};

export function mayMove(from: PostStatus, move: PostMove): boolean {
  return allowed[move].includes(from);
}

export const postStatusLabels: Record<PostStatus, string> = {
  draft: '下書き',
  in_review: '確認中',
  approved: '承認済み',
  scheduled: '予約済み',
  published: '公開済み',
  withdrawn: '取り下げ',
};

export const postMoveLabels: Record<PostMove, string> = {
  edit: '編集',
  submit: '確認に回す',
  approve: '承認',
  schedule: '公開予約',
  publish: '公開済みにする',
  link: '公開先を登録',
  withdraw: '取り下げ',
};
