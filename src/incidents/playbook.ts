import { z } from '@hono/zod-openapi';
import { isCleanText } from '../validation.ts';
import defaults from './default-playbook.json' with { type: 'json' };
import { roleNames, type RoleName } from '../incident-record/lifecycle.ts';

// Playbooks are data: an ordered list of steps, each with an owner role, a due offset from
// detection, a checklist and the conditions under which it applies. Pure: validating and matching.

export interface PlaybookStep {
  /** Stable within a playbook: a step becomes a task once per incident, keyed by this. */
  key: string;
  title: string;
  ownerRole: RoleName;
  dueOffsetMinutes: number;
  checklist: string[];
  when: { minSeverity?: number; riskCategories?: string[] };
  /**
   * Must be done or skipped before the incident is resolved; otherwise resolving needs a reason
   * (src/incidents/transition-incident.ts). Absent in versions saved before the flag existed:
   * those count as required (`isRequired`), because a response step nobody decided on is exactly
   * what the check is for. Follow-up work due after the response (再発防止) says false.
   */
  required?: boolean;
}

export interface Playbook {
  /** 0 is the shipped default; an org's own versions count from 1. */
  version: number;
  steps: PlaybookStep[];
}

const MAX_STEPS = 50;
const MAX_OFFSET_MINUTES = 90 * 24 * 60;

// The rules a playbook's steps follow, once: the API refuses a PUT that breaks them (the body is
// `{ steps: playbookSteps }`, src/incidents/routes.ts) and the shipped default is read through
// them below, so a bad default fails at start, not on the first incident.
const text = (max: number) =>
  z
    .string()
    .min(1, `must be 1–${max} characters long`)
    .max(max, `must be 1–${max} characters long`)
    .refine(isCleanText, '使えない文字 (制御文字など) が含まれています (contains control or invalid characters)');
const integer = (min: number, max: number) => {
  const message = `must be an integer ${min}–${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

const playbookStep = z
  .strictObject({
    key: z
      .string()
      .max(60, 'must be 1–60 characters long')
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and hyphens'),
    title: text(200),
    ownerRole: z.enum(roleNames),
    dueOffsetMinutes: integer(0, MAX_OFFSET_MINUTES).openapi({ description: '検知からの期限 (分)' }),
    checklist: z.array(text(500)).max(30, 'may have at most 30 items').default([]),
    when: z
      .strictObject({
        minSeverity: integer(1, 5).optional(),
        riskCategories: z.array(text(100)).max(20, 'may have at most 20 items').optional(),
      })
      .default({})
      // No categories is no condition: stored as absent, so matchingSteps does not read [] as "matches nothing".
      .transform(({ riskCategories, ...rest }) => (riskCategories && riskCategories.length > 0 ? { ...rest, riskCategories } : rest)),
    required: z
      .boolean()
      .default(true)
      .openapi({ description: '解決前に完了か省略が必要 (must be done or skipped before resolving; default true)' }),
  })
  .openapi('PlaybookStepInput');

/** A playbook's steps as a person writes them: 1–50, keys unique. */
export const playbookSteps = z
  .array(playbookStep)
  .min(1, `must have 1–${MAX_STEPS} items`)
  .max(MAX_STEPS, `must have 1–${MAX_STEPS} items`)
  .superRefine((steps, ctx) => {
    const keys = steps.map((s) => s.key);
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `key "${dup}" appears twice` });
  }) satisfies z.ZodType<PlaybookStep[], unknown>;

/** Whether a step must be settled before resolving (see PlaybookStep.required). */
export const isRequired = (step: PlaybookStep): boolean => step.required !== false;

export const defaultPlaybook: Playbook = Object.freeze({ version: 0, steps: playbookSteps.parse(defaults.steps) });

/** The steps that apply to an incident of this severity and these risk categories. */
export function matchingSteps(playbook: Playbook, facts: { severity: number; riskCategories: readonly string[] }): PlaybookStep[] {
  return playbook.steps.filter((s) => {
    if (s.when.minSeverity !== undefined && facts.severity < s.when.minSeverity) return false;
    if (s.when.riskCategories && !s.when.riskCategories.some((c) => facts.riskCategories.includes(c))) return false;
    return true;
  });
}

export interface PlannedTask {
  stepKey: string;
  title: string;
  ownerRole: RoleName;
  dueAt: Date;
  checklist: string[];
}

/** Tasks for the matching steps that are not tasks yet (`existing` step keys), due from detection. */
export function plannedTasks(
  playbook: Playbook,
  facts: { severity: number; riskCategories: readonly string[]; detectedAt: Date },
  existing: ReadonlySet<string>,
): PlannedTask[] {
  return matchingSteps(playbook, facts)
    .filter((s) => !existing.has(s.key))
    .map((s) => ({
      stepKey: s.key,
      title: s.title,
      ownerRole: s.ownerRole,
      dueAt: new Date(facts.detectedAt.getTime() + s.dueOffsetMinutes * 60_000),
      checklist: s.checklist,
    }));
}

export interface TaskForResolve {
  id: string;
  stepKey: string;
  title: string;
  status: 'open' | 'done' | 'skipped';
}

/**
 * The incident's tasks that block a plain resolve: still open, from a step of the incident's own
 * playbook version that is required. Post-mortem action items (`action:<n>`) are follow-ups, never
 * steps, so never block. In due order, as the caller passes them.
 */
export function openRequiredTasks(playbook: Playbook, tasks: readonly TaskForResolve[]): TaskForResolve[] {
  const required = new Set(playbook.steps.filter(isRequired).map((s) => s.key));
  return tasks.filter((t) => t.status === 'open' && required.has(t.stepKey));
}
