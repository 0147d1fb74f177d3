import path from 'node:path';
import { z } from 'zod';
import { readYamlFile } from '../../domain/catalog-loader';
import { FlowDefinitionError } from '../../errors';

const placeSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  label: z.string().min(1),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

const placesFileSchema = z.object({
  version: z.number().int().positive(),
  places: z.array(placeSchema).min(1),
});

/** A preset place the simulator offers as a location pin; `label` is an i18next key. */
export type WebPlace = z.infer<typeof placeSchema>;

/**
 * Read and validate flows/places.yaml (ids unique), so a typo stops start-up
 * with the file's name instead of showing a broken picker.
 * @example const places = loadPlaces(config.flowsDirAbs)
 */
export function loadPlaces(flowsDir: string): WebPlace[] {
  const { places } = readYamlFile(path.join(flowsDir, 'places.yaml'), placesFileSchema);
  const seen = new Set<string>();
  for (const p of places) {
    if (seen.has(p.id)) throw new FlowDefinitionError(`places.yaml: duplicate id ${p.id}`);
    seen.add(p.id);
  }
  return places;
}
