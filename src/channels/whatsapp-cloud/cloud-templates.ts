import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { FlowDefinitionError } from '../../errors';
import type { Language } from '../../i18n/create-i18n';

const template = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'template names are lower-case letters, digits and _'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a WhatsApp language code such as hi or en_US'),
});
const perLanguage = z.object({ hi: template, en: template });
const schema = z.object({
  version: z.literal(1),
  default: perLanguage,
});

/** One approved template: its name and language code as WhatsApp Manager shows them. */
export type CloudTemplate = z.infer<typeof template>;

/** The templates of `flows/whatsapp-templates.yaml`. */
export interface CloudTemplates {
  /** The template for a late notice in this language. */
  pick(language: Language): CloudTemplate;
}

/**
 * Load and validate `whatsapp-templates.yaml`; a bad file stops start-up with its name.
 * @example const templates = loadCloudTemplates(config.flowsDirAbs)
 */
export function loadCloudTemplates(flowsDir: string): CloudTemplates {
  const file = path.join(flowsDir, 'whatsapp-templates.yaml');
  let parsed: z.infer<typeof schema>;
  try {
    parsed = schema.parse(parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw new FlowDefinitionError(
      `whatsapp-templates.yaml is invalid: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      { cause: err },
    );
  }
  return {
    pick: (language) => parsed.default[language],
  };
}
