import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { ConflictError, isUniqueViolation, NotFoundError } from '../../platform/errors.js';
import { templatesRepository as repo } from './messaging.repository.js';
import type { MessageChannel, MessageTemplatesTable } from './messaging.tables.js';
import { checkTemplateSyntax } from './template-renderer.js';

export interface TemplateInput {
  name: string;
  channel: MessageChannel;
  subject: string;
  bodyText: string;
  bodyHtml?: string | null;
  qrUrl?: string | null;
}

export interface TemplateView extends Required<TemplateInput> {
  id: number;
  createdAt: string;
  updatedAt: string;
}

export function templateView(row: Selectable<MessageTemplatesTable>): TemplateView {
  return {
    id: row.id,
    name: row.name,
    channel: row.channel,
    subject: row.subject,
    bodyText: row.body_text,
    bodyHtml: row.body_html,
    qrUrl: row.qr_url,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Message templates: Mustache subject and bodies (text, and HTML for e-mail). */
export class TemplatesService {
  constructor(private readonly db: Db) {}

  async list(): Promise<TemplateView[]> {
    return (await repo.list(this.db)).map(templateView);
  }

  async get(id: number): Promise<TemplateView> {
    const row = await repo.find(this.db, id);
    if (!row) throw new NotFoundError('template', id);
    return templateView(row);
  }

  async create(input: TemplateInput): Promise<TemplateView> {
    checkTemplateSyntax({ subject: input.subject, bodyText: input.bodyText, bodyHtml: input.bodyHtml ?? undefined });
    try {
      return templateView(
        await repo.insert(this.db, {
          name: input.name.trim(),
          channel: input.channel,
          subject: input.subject,
          body_text: input.bodyText,
          body_html: input.channel === 'email' ? (input.bodyHtml ?? null) : null,
          qr_url: input.qrUrl ?? null,
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('name_taken', `A template named ${input.name} exists`);
      throw err;
    }
  }

  async update(id: number, input: Partial<Omit<TemplateInput, 'channel'>>): Promise<TemplateView> {
    checkTemplateSyntax({ subject: input.subject, bodyText: input.bodyText, bodyHtml: input.bodyHtml ?? undefined });
    try {
      const row = await repo.update(this.db, id, {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.subject !== undefined ? { subject: input.subject } : {}),
        ...(input.bodyText !== undefined ? { body_text: input.bodyText } : {}),
        ...(input.bodyHtml !== undefined ? { body_html: input.bodyHtml } : {}),
        ...(input.qrUrl !== undefined ? { qr_url: input.qrUrl } : {}),
      });
      if (!row) throw new NotFoundError('template', id);
      return templateView(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('name_taken', `A template named ${input.name} exists`);
      throw err;
    }
  }
}
