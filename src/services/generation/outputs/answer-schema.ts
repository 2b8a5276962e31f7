/**
 * One zod definition per typed run gives both the JSON Schema the model is asked to fill (structured outputs) and
 * the check of what it answered. The JSON Schema keeps to what OpenAI's strict mode takes
 * (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas): objects with
 * `additionalProperties: false` and every property required, `enum`, `anyOf` with null, `format` (uri, email);
 * limits Notion sets (lengths, counts, ISO dates, commas in options) are checked after parsing, by refinements
 * the schema does not carry.
 *
 * Values, by type: text and title a plain string; number a number or null; select and status one of the options
 * or null; multi-select and relation an array of option names or page titles; date an ISO 8601 date
 * (`YYYY-MM-DD`) or date-time, or null (no end dates); checkbox a boolean; url, email and phone a string or null;
 * `@body` Markdown for the row's page.
 */
import { z } from 'zod';
import { NOTION_LIMITS } from '../../../adapters/notion/index.js';
import { PROPERTY_MAX_CHARS } from '../limits.js';
import type { OutputPlan, OutputSpec } from './plan.js';

/** `YYYY-MM-DD`, or a date-time with an optional offset, as Notion's date values take them. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

const isIsoDate = (value: string) => ISO_DATE.test(value) && !Number.isNaN(Date.parse(value));

/** The answer's schemas: `strict` for the JSON Schema sent to the model, `lenient` (extra keys ignored) for checking. */
export interface AnswerSchemas {
  readonly strict: z.ZodType;
  readonly lenient: z.ZodType;
}

export function answerSchemas(plan: OutputPlan): AnswerSchemas {
  const shape = Object.fromEntries(plan.specs.map((spec) => [spec.name, valueSchema(spec)]));
  return { strict: z.strictObject(shape), lenient: z.object(shape) };
}

/** Keywords zod emits that strict mode does not take (or that make the schema long): checked after parsing instead. */
const CHECKED_AFTER_PARSING = ['pattern', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const;

/** The JSON Schema of the answer, without `$schema`, the long patterns zod adds to formats, and length limits. */
export function answerJsonSchema(schemas: AnswerSchemas): Record<string, unknown> {
  const schema = z.toJSONSchema(schemas.strict, {
    target: 'draft-7',
    override: (ctx) => {
      for (const keyword of CHECKED_AFTER_PARSING) delete (ctx.jsonSchema as Record<string, unknown>)[keyword];
    },
  }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

function valueSchema(spec: OutputSpec): z.ZodType {
  const label = `the ${spec.type === 'body' ? 'page body' : `property “${spec.name}”`}`;
  switch (spec.type) {
    case 'body':
      return z.string().describe("Markdown for the row's page body (headings, lists, tables and links are welcome).");
    case 'title':
    case 'rich_text':
      return z
        .string()
        .max(PROPERTY_MAX_CHARS, `longer than the ${PROPERTY_MAX_CHARS.toLocaleString('en-US')} characters a Notion text property holds`)
        .describe(`Plain text (no Markdown) for ${label}.`);
    case 'number':
      return z.number().nullable().describe(`A number for ${label}, or null when none fits.`);
    case 'checkbox':
      return z.boolean().describe(`True or false for the checkbox ${label}.`);
    case 'date':
      return z
        .string()
        .refine(isIsoDate, 'not an ISO 8601 date (YYYY-MM-DD) or date-time')
        .nullable()
        .describe(`An ISO 8601 date (YYYY-MM-DD) or date-time for ${label}, or null when none fits.`);
    case 'url':
      return z
        .url('not an absolute URL')
        .max(NOTION_LIMITS.urlChars, `longer than the ${NOTION_LIMITS.urlChars} characters Notion allows`)
        .nullable()
        .describe(`An absolute URL for ${label}, or null.`);
    case 'email':
      return z
        .email('not an email address')
        .max(NOTION_LIMITS.emailChars, `longer than the ${NOTION_LIMITS.emailChars} characters Notion allows`)
        .nullable()
        .describe(`An email address for ${label}, or null.`);
    case 'phone_number':
      return z
        .string()
        .max(NOTION_LIMITS.phoneNumberChars, `longer than the ${NOTION_LIMITS.phoneNumberChars} characters Notion allows`)
        .nullable()
        .describe(`A phone number for ${label}, or null.`);
    case 'select':
    case 'status':
      return choice(spec)
        .nullable()
        .describe(`${spec.open ? 'An option (an existing one where it fits)' : 'One of the options'} of ${label}, or null when none fits.`);
    case 'multi_select':
      return z
        .array(choice(spec))
        .max(NOTION_LIMITS.multiSelectOptions, `more than the ${NOTION_LIMITS.multiSelectOptions} options Notion allows`)
        .describe(`${spec.open ? 'Options (existing ones where they fit)' : 'Options'} of ${label}; an empty array for none.`);
    case 'relation':
      return z
        .array(choice(spec))
        .max(NOTION_LIMITS.relationPages, `more than the ${NOTION_LIMITS.relationPages} pages Notion allows`)
        .describe(`Titles of the related pages for ${label}, chosen from the list; an empty array for none.`);
  }
}

/** An option or page title: one of the choices, or (new options allowed) any name Notion can take. */
function choice(spec: OutputSpec): z.ZodType<string> {
  const choices = spec.choices ?? [];
  if (spec.open || choices.length === 0) {
    // Notion: "Commas (",") are not valid for select values" (https://developers.notion.com/reference/property-object#select).
    return z
      .string()
      .trim()
      .min(1, 'an empty option name')
      .max(100, 'an option name longer than 100 characters')
      .refine((name) => !name.includes(','), 'an option name with a comma, which Notion does not allow');
  }
  return z.enum(choices as [string, ...string[]], {
    error: () => (spec.type === 'relation' ? 'not the title of a page it can relate to' : 'not one of its options'),
  });
}
