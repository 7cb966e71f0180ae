// The front end's diagnostic codes by name: a view of the one table (compiler/diagnostics/codes.ts).
import { D } from '../diagnostics/codes.ts';

export const Codes = {
  cannotRead: D.cannotRead.code,
  lexical: D.lexical.code,
  syntax: D.syntax.code,
  /** Not an error itself: the note after the last reported diagnostic when there were more. */
  tooManyErrors: D.tooManyErrors.code,
  /** A file with no declaration at all (empty, or only comments): nothing any command could use. */
  emptyFile: D.emptyFile.code,
  unknownOp: D.unknownOp.code,
  unknownArgument: D.unknownArgument.code,
  missingArgument: D.missingArgument.code,
  duplicateArgument: D.duplicateArgument.code,
  badArgument: D.badArgument.code,
  tooManyArguments: D.tooManyArguments.code,
  undefinedName: D.undefinedName.code,
  duplicateDefinition: D.duplicateDefinition.code,
  badRepeat: D.badRepeat.code,
  badInput: D.badInput.code,
  noOutput: D.noOutput.code,
  wrongShape: D.wrongShape.code,
  badProperty: D.badProperty.code,
  unknownProperty: D.unknownProperty.code,
  missingProperty: D.missingProperty.code,
  unknownReference: D.unknownReference.code,
  /** `key: <= value` where the key takes no upper bound (only a space's `area` does). */
  misplacedBound: D.misplacedBound.code,
} as const;
