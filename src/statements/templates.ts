import { ValidationError } from '../errors.ts';
import type { StatementKind } from './lifecycle.ts';
import data from './templates.json' with { type: 'json' };

// Statement templates are data (templates.json): wording is reviewed by PR people, not programmers.

export interface StatementTemplate {
  key: string;
  kind: StatementKind;
  label_ja: string;
  guidance_ja: string;
  title: string;
  body: string;
}

export const statementTemplates: readonly StatementTemplate[] = data.templates as StatementTemplate[];

/** The values a template is filled with: the organization and the incident, dates in JST. */
export interface TemplateValues {
  orgName: string;
  detectedDate: string;
  publishDate: string;
}

const jstDate = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' });

/** 2026年11月25日 (the calendar day in Asia/Tokyo). */
export function formatJstDate(d: Date): string {
  return jstDate.format(d);
}

export function templateValues(orgName: string, detectedAt: Date, now: Date): TemplateValues {
  return { orgName, detectedDate: formatJstDate(detectedAt), publishDate: formatJstDate(now) };
}

export function findTemplate(kind: StatementKind, key?: string): StatementTemplate {
  const t = key === undefined ? statementTemplates.find((x) => x.kind === kind) : statementTemplates.find((x) => x.key === key);
  if (!t) throw new ValidationError(`template: no template ${key ?? ''} for kind ${kind}`.replace('  ', ' '));
  if (t.kind !== kind) throw new ValidationError(`template ${t.key} is for kind ${t.kind}, not ${kind}`);
  return t;
}

/**
 * Fills {{name}} placeholders in one pass, so a value that itself contains "{{…}}" (an org name
 * is user input) is never expanded again. Unknown names stay and the checker flags them.
 */
export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name as keyof TemplateValues] : whole,
  );
}
