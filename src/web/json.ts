import { escapeJsonForHtml } from '../display.ts';

/** JSON for a <script type="application/json">: no character that could end the element or start markup. */
export function jsonForScript(value: unknown): string {
  return escapeJsonForHtml(JSON.stringify(value));
}
