/** CloudFormation templates as data: YAML with the short-form intrinsic tags mapped to their long forms. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseDocument, type Tags } from 'yaml'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export const CFN_FUNCTIONS = ['Ref', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Condition', 'Base64', 'Cidr', 'GetAZs']

export const CFN_TAGS: Tags = CFN_FUNCTIONS.flatMap((fn) => {
  const key = fn === 'Ref' || fn === 'Condition' ? fn : `Fn::${fn}`
  const scalar = (value: string): unknown => ({ [key]: fn === 'GetAtt' ? [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)] : value })
  return [
    { tag: `!${fn}`, resolve: scalar },
    { tag: `!${fn}`, collection: 'seq' as const, resolve: (node: { toJSON: () => unknown }) => ({ [key]: node.toJSON() }) },
    { tag: `!${fn}`, collection: 'map' as const, resolve: (node: { toJSON: () => unknown }) => ({ [key]: node.toJSON() }) }
  ]
})

export type Template = Record<string, any>

export function parseTemplate (text: string): Template {
  const doc = parseDocument(text, { customTags: CFN_TAGS })
  if (doc.errors.length > 0 || doc.warnings.length > 0) throw new Error([...doc.errors, ...doc.warnings].join('; '))
  return doc.toJS() as Template
}

/** A template from the repository, by its path from the root. */
export function readTemplate (path: string): Template {
  return parseTemplate(readFileSync(`${ROOT}${path}`, 'utf8'))
}
