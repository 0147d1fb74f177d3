import path from 'node:path';
import { z } from 'zod';
import { readYamlFile } from '../domain/catalog-loader';
import { FlowDefinitionError } from '../errors';

const stepId = z.string().regex(/^[a-z][a-z0-9_]*$/);
const i18nKey = z.string().regex(/^[a-z0-9_.]+$/);
const answerField = z.enum(['category', 'block', 'locality', 'description', 'phone']);

const base = {
  id: stepId,
  prompt: i18nKey,
  save: answerField.optional(),
  next: stepId.optional(),
};

const choiceStep = z.object({
  ...base,
  kind: z.literal('choice'),
  options: z.object({ from: z.enum(['categories', 'blocks']) }),
  freeText: z.literal('suggest-category').optional(),
  acceptLocation: z.boolean().default(false),
  nextAfterLocation: stepId.optional(),
});

const textStep = z.object({
  ...base,
  kind: z.literal('text'),
  minLength: z.number().int().min(1),
  maxLength: z.number().int().min(1).max(3500),
  attachments: z.array(z.enum(['photo', 'voice'])).default([]),
  /**
   * For citizens who cannot type: a voice note here answers these questions
   * (saved as IN_VOICE; the officer listens to it) and the flow moves on.
   */
  voiceStandsFor: z.array(z.enum(['locality', 'description'])).default([]),
});

const contactStep = z.object({
  ...base,
  kind: z.literal('contact'),
  optional: z.boolean().default(true),
});

const editOption = z.object({ value: z.string(), label: i18nKey, goto: stepId, endAfter: stepId });

const summaryStep = z.object({
  ...base,
  kind: z.literal('summary'),
  attachments: z.array(z.enum(['photo', 'voice'])).default([]),
  edit: z.array(editOption).min(1),
});

const stepSchema = z.discriminatedUnion('kind', [choiceStep, textStep, contactStep, summaryStep]);

const flowSchema = z.object({
  id: z.string().min(1),
  version: z.number().int().positive(),
  start: stepId,
  steps: z.array(stepSchema).min(1),
  vocabulary: z.object({
    yes: z.array(z.string()),
    no: z.array(z.string()),
    skip: z.array(z.string()),
    submit: z.array(z.string()),
    change: z.array(z.string()),
    back: z.array(z.string()),
    /** Typed ratings besides the digits: number words and how people say it went, by rating 1–5. */
    rating: z.record(z.enum(['1', '2', '3', '4', '5']), z.array(z.string())).optional(),
    /**
     * Words that work as the citizen's commands wherever they are, typed as
     * the whole message (स्थिति, मदद, रद्द …; status and reopen may be
     * followed by a reference), so nobody needs a Latin-letter /command.
     */
    commands: z
      .object({
        new: z.array(z.string()).default([]),
        status: z.array(z.string()).default([]),
        help: z.array(z.string()).default([]),
        cancel: z.array(z.string()).default([]),
        language: z.array(z.string()).default([]),
        reopen: z.array(z.string()).default([]),
      })
      .default({ new: [], status: [], help: [], cancel: [], language: [], reopen: [] }),
    /** More words for "new complaint" at the main menu only (mid-flow they are answers). */
    newAtMenu: z.array(z.string()).default([]),
    /** Names of each language, typed after the language command (besides the codes hi and en). */
    languageNames: z
      .object({ hi: z.array(z.string()).default([]), en: z.array(z.string()).default([]) })
      .default({ hi: [], en: [] }),
    /** After a health category: words for "talk to the counsellor" and "file the complaint" (besides yes and no). */
    counsellorOffer: z
      .object({ talk: z.array(z.string()).default([]), complaint: z.array(z.string()).default([]) })
      .default({ talk: [], complaint: [] }),
    /** The counsellor's word after /end that also files the conversation as a ticket (/end ticket). */
    endWithTicket: z.array(z.string()).default([]),
  }),
});

export type Flow = z.infer<typeof flowSchema>;
export type Step = Flow['steps'][number];
export type ChoiceStep = z.infer<typeof choiceStep>;
export type TextStep = z.infer<typeof textStep>;
export type ContactStep = z.infer<typeof contactStep>;
export type SummaryStep = z.infer<typeof summaryStep>;
export type AnswerField = z.infer<typeof answerField>;

/**
 * Validate a parsed flow: the schema, then that every step id is unique and
 * every `next`/`goto`/`endAfter` names a step, and that exactly one summary
 * ends the flow.
 */
export function validateFlow(raw: unknown, source = 'flow'): Flow {
  const parsed = flowSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowDefinitionError(`${source}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  const flow = parsed.data;
  const ids = new Set<string>();
  for (const s of flow.steps) {
    if (ids.has(s.id)) throw new FlowDefinitionError(`${source}: duplicate step id ${s.id}`);
    ids.add(s.id);
  }
  const refs: Array<[string, string | undefined]> = [['start', flow.start]];
  for (const s of flow.steps) {
    refs.push([`${s.id}.next`, s.next]);
    if (s.kind === 'choice') refs.push([`${s.id}.nextAfterLocation`, s.nextAfterLocation]);
    if (s.kind === 'summary')
      for (const e of s.edit) refs.push([`${s.id}.edit.goto`, e.goto], [`${s.id}.edit.endAfter`, e.endAfter]);
  }
  for (const [where, target] of refs) {
    if (target !== undefined && !ids.has(target))
      throw new FlowDefinitionError(`${source}: ${where} names unknown step ${target}`);
  }
  const summaries = flow.steps.filter((s) => s.kind === 'summary');
  if (summaries.length !== 1) throw new FlowDefinitionError(`${source}: needs exactly one summary step`);
  return flow;
}

/** Load and validate flows/<name>.yaml. */
export function loadFlow(flowsDir: string, name: string): Flow {
  const file = path.join(flowsDir, `${name}.yaml`);
  return validateFlow(readYamlFile(file, z.unknown()), path.basename(file));
}

/** Every i18next key a flow refers to, for the locale completeness test. */
export function flowKeys(flow: Flow): string[] {
  const keys: string[] = [];
  for (const s of flow.steps) {
    keys.push(s.prompt);
    if (s.kind === 'summary') keys.push(...s.edit.map((e) => e.label));
  }
  return keys;
}
