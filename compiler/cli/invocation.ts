// The command line being run, recorded by main.ts and read by options.ts (manifests say how a
// folder was made): its own module so that the commands never import the CLI's entry point.
let invoked: readonly string[] = [];

/** The words after `nacc` of the command line being run. */
export const invokedArgs = (): readonly string[] => invoked;

export function recordInvocation(argv: readonly string[]): void {
  invoked = argv;
}
