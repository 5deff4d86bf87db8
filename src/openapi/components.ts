import { roleNames } from '../incident-record/lifecycle.ts';
import { oneOfValues, type Schema } from './schema.ts';

// Shared shapes of the hand-written part of the API document (features not yet declared with
// defineRoute; the others' shapes are zod schemas beside their routes, and the Error body is
// src/http/schemas.ts's ErrorBody). Response objects are open (fields may be added).

const role = oneOfValues(roleNames, { description: 'pr_staff=広報担当, oncall_manager=当番責任者, director=院長・理事, admin=管理者' });

export const components: Record<string, Schema> = {
  Role: role,
};
