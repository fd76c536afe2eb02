import { createHash } from 'node:crypto';

/** APIM's limit on a tag id. */
const MAX_TAG_ID_LENGTH = 80;

/**
 * The APIM id of the tag an api.yaml names by display name: its lower-kebab form (`Media Catalog` → `media-catalog`),
 * letters and digits of any script kept, so the same name always gives the same id. A name with no letter or digit
 * gets a short hash of itself instead.
 */
export function tagIdOf(name: string): string {
  const kebab = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_TAG_ID_LENGTH)
    .replace(/-+$/, '');
  return kebab || `tag-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}
