// The data set a supernet names (`data: fashion_mnist(...)`), checked against the supernet:
// square images of its channels and as many classes. Training and deployment both read it here.
import { D, fail } from '../diagnostics/index.ts';
import type { Dataset } from '../fl/data.ts';
import type { SupernetSpec } from '../ir/supernet.ts';

export interface SupernetData {
  train: Dataset;
  test: Dataset;
  /** Side of the square images. */
  side: number;
}

export async function supernetData(spec: SupernetSpec, seed: number): Promise<SupernetData> {
  if (!spec.data)
    fail(
      D.supernetNoData,
      `supernet '${spec.name}' names no data set to train on: add e.g. 'data: fashion_mnist(samples: 60000)'`,
      spec.location,
    );
  const { prepareData } = await import('../fl/data.ts');
  const data = prepareData(spec.data!, 1, seed, undefined, spec.location);
  const side = Math.round(Math.sqrt(data.train.features / spec.channels));
  if (side * side * spec.channels !== data.train.features)
    fail(
      D.supernetDataMismatch,
      `supernet '${spec.name}': its data set's ${data.train.features} values per sample are not square images of ${spec.channels} channel(s)`,
      spec.location,
    );
  if (data.train.classes !== spec.classes)
    fail(
      D.supernetDataMismatch,
      `supernet '${spec.name}' has ${spec.classes} classes but its data set has ${data.train.classes}`,
      spec.location,
    );
  return { train: data.train, test: data.test, side };
}
