import type { ColumnType, Selectable } from 'kysely';
import type { TextAnalysis } from '../analysis/types.ts';
import type { DetectorState } from '../detection/step-detector.ts';
import type { DB } from './tables.ts';

// The database as the code sees it: the tables generated from the migrations (./tables.ts, `npm run
// db:types`) with the jsonb columns whose shape the schema cannot state narrowed here, once. Text
// columns with a CHECK list already arrive as unions. Only shapes from modules that never touch the
// database belong here (plain records, analysis, detection), so db/ imports no feature; a feature
// narrows a row with its own shapes where it reads it, with `Narrowed`.

/** jsonb read and written as T: postgres.js and Kysely pass objects through as JSON. */
type JsonOf<T> = ColumnType<T, T, T>;
/** …with a database default: optional on insert. */
type JsonOfDefault<T> = ColumnType<T, T | undefined, T>;

/** Refuses a table or column the generated schema does not have, so a rename cannot orphan a shape. */
type ColumnShapes<
  S extends { [T in keyof S]: T extends keyof DB ? { [C in keyof S[T]]: C extends keyof DB[T] ? unknown : never } : never },
> = S;

type JsonShapes = ColumnShapes<{
  mentions: { analysis: JsonOf<TextAnalysis> | null };
  detector_states: { state: JsonOf<DetectorState> };
  detector_snapshots: { state: JsonOf<DetectorState> };
  sources: { config: JsonOfDefault<Record<string, unknown>> };
  watch_targets: { handles: JsonOfDefault<Record<string, string>> };
  incident_tasks: { checklist: JsonOfDefault<string[]> };
  incident_events: { data: JsonOfDefault<Record<string, unknown>> };
}>;

type Flat<T> = { [K in keyof T]: T[K] };

export type Database = {
  [T in keyof DB]: T extends keyof JsonShapes ? Flat<Omit<DB[T], keyof JsonShapes[T]> & JsonShapes[T]> : DB[T];
};

/** A whole row as a query returns it: `sql<Row<'incidents'>[]>`, or `Pick<Row<'mentions'>, 'id' | 'text'>`. */
export type Row<T extends keyof Database> = Selectable<Database[T]>;

/**
 * A row with some columns typed more narrowly than the schema can: a jsonb column's shape owned by a
 * feature, or a text[] of known values. Only existing columns: a misspelt name does not compile.
 */
export type Narrowed<R, N extends { [C in keyof N]: C extends keyof R ? unknown : never }> = Flat<Omit<R, keyof N> & N>;
