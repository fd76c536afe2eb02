export { loadRepository, CONFIG_FILE, type LoadResult } from './loader';
export { parseYaml } from './yaml';
export { loadSpecification } from './openapi';
export { validateAgainstSchema, SCHEMAS_DIR, type SchemaName } from './schemas';
export { checkId } from './ids';
export * from './model';
