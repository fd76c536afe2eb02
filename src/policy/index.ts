/** APIM-dialect policy XML: parsing, printing, semantic comparison, templating and queries. */
export type { PolicyAttribute, PolicyCData, PolicyComment, PolicyDocument, PolicyElement, PolicyNode, PolicyText } from './ast';
export { parsePolicy, DEFAULT_MAX_DEPTH } from './parser';
export type { ParsePolicyOptions, ParsePolicyResult } from './parser';
export { serializePolicy, printText, printAttributeValue } from './serializer';
export type { SerializePolicyOptions } from './serializer';
export { isExpressionStart, isPolicyExpression, scanExpressionEnd, splitExpressions } from './expression';
export type { ValueSegment } from './expression';
export {
  attributeValue,
  childElements,
  elementsNamed,
  findNamedValueReferences,
  isLiquidBody,
  textContent,
  walkElements,
} from './query';
export type { NamedValueReference } from './query';
export { canonicalPolicy, policiesEquivalent, policyTextDiff } from './compare';
export { renderTemplate } from './template';
export type { RenderedTemplate, TemplateContext } from './template';
export { renderYamlData, isTemplated } from './yaml-template';
export type { RenderedYamlData, YamlTemplateFinding } from './yaml-template';
export { unifiedDiff } from './text-diff';
