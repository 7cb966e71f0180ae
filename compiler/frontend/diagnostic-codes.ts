// Stable diagnostic codes of the front-end (documented in the README's language reference).
export const Codes = {
  cannotRead: 'E0001',
  lexical: 'E0101',
  syntax: 'E0102',
  /** Not an error itself: the note after the last reported diagnostic when there were more. */
  tooManyErrors: 'E0103',
  /** A file with no declaration at all (empty, or only comments): nothing any command could use. */
  emptyFile: 'E0104',
  unknownOp: 'E0201',
  unknownArgument: 'E0202',
  missingArgument: 'E0203',
  duplicateArgument: 'E0204',
  badArgument: 'E0205',
  tooManyArguments: 'E0206',
  undefinedName: 'E0210',
  duplicateDefinition: 'E0211',
  badRepeat: 'E0212',
  badInput: 'E0213',
  noOutput: 'E0214',
  wrongShape: 'E0301',
  badProperty: 'E0401',
  unknownProperty: 'E0402',
  missingProperty: 'E0403',
  unknownReference: 'E0404',
  /** `key: <= value` where the key takes no upper bound (only a space's `area` does). */
  misplacedBound: 'E0405',
} as const;
