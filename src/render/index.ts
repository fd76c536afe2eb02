export { renderRepository, loadAndRender, pickEnvironment, type RenderOptions } from './render';
export { writeDesiredState, renderedFileOf, renderedContentOf, SECRET_PLACEHOLDER } from './write';
export * from './desired';
