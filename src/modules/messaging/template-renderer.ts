import Mustache from 'mustache';
import { ValidationError } from '../../platform/errors.js';

/**
 * Templates are Mustache: `{{customer.name}}`, sections `{{#recommendations}}…{{/recommendations}}`,
 * inverted sections for "if missing". HTML bodies escape values; text bodies and subjects don't.
 */
export interface TemplateParts {
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
}

export function checkTemplateSyntax(parts: Partial<TemplateParts>): void {
  const problems = [];
  for (const [field, text] of Object.entries(parts)) {
    if (typeof text !== 'string') continue;
    try {
      Mustache.parse(text);
    } catch (err) {
      problems.push({ field, message: `is not a valid template: ${(err as Error).message}` });
    }
  }
  if (problems.length) throw new ValidationError(problems);
}

const plain = (text: string, view: object) => Mustache.render(text, view, undefined, { escape: (v: unknown) => String(v) });

export function renderTemplate(parts: TemplateParts, view: object): TemplateParts {
  return {
    subject: plain(parts.subject, view).replace(/[\r\n]+/g, ' ').trim(),
    bodyText: plain(parts.bodyText, view),
    bodyHtml: parts.bodyHtml === null ? null : Mustache.render(parts.bodyHtml, view),
  };
}
