// Everything one .nacc file declares, lowered.
import type { Network } from './network.ts';
import type { SupernetSpec } from './supernet.ts';
import type { AcceleratorSpec, DesignSpace, FederatedJob, McuTarget, PointAccConfig } from './targets.ts';

export interface Program {
  file: string;
  networks: Network[];
  accelerators: AcceleratorSpec[];
  spaces: DesignSpace[];
  mcus: McuTarget[];
  pointaccs: PointAccConfig[];
  federated: FederatedJob[];
  supernets: SupernetSpec[];
}
