// One diagnostic for a name a command line asks for that the input does not declare (a network,
// accelerator, space, MCU target, PointAcc configuration, federated job, layer, demo step…):
// code E0510, "did you mean", and the list of candidates, whichever command and back-end asks.
import { suggestion } from '../util/suggest.ts';
import { UserError } from './errors.ts';
import { ExitCode, type ExitCodeValue } from './exit-codes.ts';
import { D } from './codes.ts';

export const UNKNOWN_DECLARATION = D.unknownDeclaration.code;

/**
 * Throws E0510: `no network 'x' in f.nacc; did you mean 'y'?` with a note listing every
 * candidate (or saying there are none). `where` names what was searched (a file, "the built-in boards").
 */
export function unknownDeclaration(
  kind: string,
  name: string,
  candidates: readonly string[],
  where: string,
  exitCode: ExitCodeValue = ExitCode.usage,
): never {
  const guess = suggestion(name, candidates);
  const list = candidates.length ? `${kind} names: ${candidates.join(', ')}` : `${where} declares no ${kind}`;
  throw new UserError(
    [
      {
        severity: 'error',
        code: UNKNOWN_DECLARATION,
        message: `no ${kind} '${name}' in ${where}${guess ? `; did you mean '${guess}'?` : ''}`,
        notes: [{ message: list }],
      },
    ],
    exitCode,
  );
}

/** The declaration of that name, or E0510. */
export function pickDeclared<T extends { name: string }>(kind: string, name: string, declared: readonly T[], where: string): T {
  return (
    declared.find((d) => d.name === name) ??
    unknownDeclaration(
      kind,
      name,
      declared.map((d) => d.name),
      where,
    )
  );
}
