import { v7 as uuidv7 } from 'uuid';
import { ApiError } from '../../src-shared/errors';
import { ReplyTemplate } from '../../src-shared/views';
import { parseWellFormedJson } from '../../src-shared/well-formed-text';
import type { KeyValueRepo } from '../store/repos/kv';

/**
 * Saved replies for common answers; kept free of PHI so they can live in code. Fields in double braces are filled
 * in the reply box (src-shared/reply-template.ts): {{first_name}}, {{provider}}, {{clinic_phone}}.
 */
export const REPLY_TEMPLATES: readonly ReplyTemplate[] = (
  [
    {
      id: 'received',
      title: 'Message received',
      body: 'Dear {{first_name}}, thank you for your message. A member of our care team has received it and will reply within one working day.',
    },
    {
      id: 'book-visit',
      title: 'Please book a visit',
      body: 'Thank you for letting us know. This is best looked at in person: please book an appointment through the portal or call the front desk.',
    },
    {
      id: 'results-normal',
      title: 'Results reviewed',
      body: 'Dear {{first_name}}, {{provider}} has reviewed your recent results and no further action is needed at this time.',
    },
    {
      id: 'refill-sent',
      title: 'Prescription renewed',
      body: 'Your prescription renewal has been sent to your pharmacy. Please allow two working days before collecting it.',
    },
    {
      id: 'urgent-care',
      title: 'Seek urgent care',
      body: 'What you describe needs prompt attention. Please call the clinic now on {{clinic_phone}}, or if symptoms are severe, call emergency services.',
    },
  ] as const
).map((t) => ({ ...t, scope: 'clinic' as const, pool: null }));

/** The most personal templates one person keeps on a PC. */
export const MAX_PERSONAL_TEMPLATES = 50;
const PersonalList = ReplyTemplate.array();
const keyOf = (staffId: string) => `reply-templates/${staffId}`;

/**
 * Saved replies for the signed-in person: the clinic's (REPLY_TEMPLATES) and their own personal ones, kept in
 * this PC's encrypted store (settings table, one JSON list per staff member; not synced to other PCs). Pool
 * templates (scope 'pool') share the shape; an admin keeps them on the server and every PC syncs them
 * (src-main/triage/coverage-service.ts poolTemplates, session 4).
 */
export class ReplyTemplates {
  constructor(private readonly kv: KeyValueRepo) {}

  private personal(staffId: string): ReplyTemplate[] {
    const raw = this.kv.get(keyOf(staffId));
    if (!raw) return [];
    // Made well-formed: a template saved before ill-formed text was refused at input can still be used and saved.
    const parsed = PersonalList.safeParse(parseWellFormedJson(raw));
    return parsed.success ? parsed.data : [];
  }

  /** The clinic's templates, then the person's own (by title). */
  list(staffId: string): ReplyTemplate[] {
    const own = this.personal(staffId).sort((a, b) => a.title.localeCompare(b.title));
    return [...REPLY_TEMPLATES, ...own];
  }

  /** Create (no id) or replace one of the person's templates. NOT_FOUND for an id not theirs; VALIDATION at the cap. */
  save(staffId: string, input: { id?: string; title: string; body: string }): ReplyTemplate {
    const own = this.personal(staffId);
    const template: ReplyTemplate = {
      id: input.id ?? `personal-${uuidv7()}`,
      title: input.title,
      body: input.body,
      scope: 'personal',
      pool: null,
    };
    const at = own.findIndex((t) => t.id === input.id);
    if (input.id !== undefined && at < 0) throw new ApiError('NOT_FOUND', 'No such personal template.');
    if (at >= 0) own[at] = template;
    else if (own.length >= MAX_PERSONAL_TEMPLATES) {
      throw new ApiError('VALIDATION', `At most ${MAX_PERSONAL_TEMPLATES} personal templates.`);
    } else own.push(template);
    this.kv.set(keyOf(staffId), JSON.stringify(own));
    return template;
  }

  /** Remove one of the person's templates; NOT_FOUND for an id not theirs. */
  delete(staffId: string, id: string): void {
    const own = this.personal(staffId);
    const next = own.filter((t) => t.id !== id);
    if (next.length === own.length) throw new ApiError('NOT_FOUND', 'No such personal template.');
    this.kv.set(keyOf(staffId), JSON.stringify(next));
  }
}
