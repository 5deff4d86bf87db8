import { ValidationError } from '../errors.ts';
import { object, oneOf, optionalBoolean, requiredString, stringArray } from '../validation.ts';
import defaults from './default-playbook.json' with { type: 'json' };
import { roleNames, type RoleName } from '../incident-record/lifecycle.ts';

// Playbooks are data: an ordered list of steps, each with an owner role, a due offset from
// detection, a checklist and the conditions under which it applies. Pure: parsing and matching.

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

/** Validates a playbook's steps (API input or the shipped file); throws a ValidationError naming the field. */
export function parsePlaybookSteps(input: unknown): PlaybookStep[] {
  if (!Array.isArray(input)) throw new ValidationError('steps must be an array');
  if (input.length < 1 || input.length > MAX_STEPS) throw new ValidationError(`steps must have 1–${MAX_STEPS} items`);
  const steps = input.map((raw, i): PlaybookStep => {
    try {
      return parseStep(raw, `steps[${i}]`);
    } catch (err) {
      if (err instanceof ValidationError && !err.message.startsWith('steps[')) throw new ValidationError(`steps[${i}].${err.message}`);
      throw err;
    }
  });
  const keys = steps.map((s) => s.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new ValidationError(`steps: key "${dup}" appears twice`);
  return steps;
}

function parseStep(raw: unknown, at: string): PlaybookStep {
  const o = object(raw, ['key', 'title', 'ownerRole', 'dueOffsetMinutes', 'checklist', 'when', 'required'], at);
  const key = requiredString(o, 'key', { max: 60, pattern: /^[a-z0-9][a-z0-9-]*$/, patternHint: 'must be lower-case letters, digits and hyphens' });
  const title = requiredString(o, 'title', { max: 200 });
  const ownerRole = oneOf(o.ownerRole, `${at}.ownerRole`, roleNames);
  const offset = o.dueOffsetMinutes;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET_MINUTES) {
    throw new ValidationError(`${at}.dueOffsetMinutes must be an integer 0–${MAX_OFFSET_MINUTES}`);
  }
  const checklist = stringArray(o, 'checklist', { max: 500, maxItems: 30 }) ?? [];
  const w = object(o.when ?? {}, ['minSeverity', 'riskCategories'], `${at}.when`);
  const when: PlaybookStep['when'] = {};
  if (w.minSeverity !== undefined) {
    if (typeof w.minSeverity !== 'number' || !Number.isInteger(w.minSeverity) || w.minSeverity < 1 || w.minSeverity > 5) {
      throw new ValidationError(`${at}.when.minSeverity must be an integer 1–5`);
    }
    when.minSeverity = w.minSeverity;
  }
  const categories = stringArray(w, 'riskCategories', { max: 100, maxItems: 20 });
  if (categories && categories.length > 0) when.riskCategories = categories;
  const required = optionalBoolean(o, 'required');
  return { key, title, ownerRole, dueOffsetMinutes: offset, checklist, when, required: required ?? true };
}

/** Whether a step must be settled before resolving (see PlaybookStep.required). */
export const isRequired = (step: PlaybookStep): boolean => step.required !== false;

export const defaultPlaybook: Playbook = Object.freeze({ version: 0, steps: parsePlaybookSteps(defaults.steps) });

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
  playbook: Playbook, facts: { severity: number; riskCategories: readonly string[]; detectedAt: Date }, existing: ReadonlySet<string>,
): PlannedTask[] {
  return matchingSteps(playbook, facts)
    .filter((s) => !existing.has(s.key))
    .map((s) => ({ stepKey: s.key, title: s.title, ownerRole: s.ownerRole, dueAt: new Date(facts.detectedAt.getTime() + s.dueOffsetMinutes * 60_000), checklist: s.checklist }));
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
