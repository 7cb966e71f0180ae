// Fashion-MNIST (Zalando; 60,000 training and 10,000 test 28x28 grey images of 10 clothing
// classes) from Debian's dataset-fashion-mnist package: the one loader every data set user shares.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { D, UserError } from '../diagnostics/index.ts';
import { readIdx, type IdxTensor } from './idx.ts';
import type { Dataset } from './data.ts';

/** Where Debian's dataset-fashion-mnist package installs the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
const SIDE = 28;

/** The split's IDX file in dir, gzipped (as Debian ships it) or not. */
function idxFile(dir: string, stem: string): string {
  for (const name of [`${stem}.gz`, stem]) if (existsSync(join(dir, name))) return join(dir, name);
  throw new UserError([
    {
      severity: 'error',
      code: D.fashionMnistMissing.code,
      message:
        `Fashion-MNIST file ${stem}(.gz) not found in ${dir}` +
        (dir === FASHION_MNIST_DIR ? `; install it with: apt-get install -y ${FASHION_MNIST_PACKAGE} (npm run bootstrap does)` : ''),
    },
  ]);
}

function labelError(file: string, labels: IdxTensor, i: number): UserError {
  const offset = 8 + i;
  return new UserError([
    {
      severity: 'error',
      code: D.idxData.code,
      message: `label ${labels.data[i]} of sample ${i} (byte ${offset}) is not a class 0-9`,
      location: { file, line: 1, column: 1, length: 1, lineText: `(binary IDX label file; problem at byte ${offset})` },
    },
  ]);
}

/** One split: images [n, 28, 28] and labels [n], checked against each other; pixels scaled to [0, 1]. */
function loadSplit(dir: string, prefix: 'train' | 't10k'): Dataset {
  const imagesFile = idxFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = idxFile(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagesFile, 3);
  const labels = readIdx(labelsFile, 1);
  const [n, h, w] = images.dims;
  if (h !== SIDE || w !== SIDE) {
    throw new UserError([
      { severity: 'error', code: D.idxData.code, message: `${imagesFile}: images are ${h}×${w}, Fashion-MNIST's are ${SIDE}×${SIDE}` },
    ]);
  }
  if (labels.dims[0] !== n) {
    throw new UserError([
      { severity: 'error', code: D.idxData.code, message: `${labelsFile} has ${labels.dims[0]} labels but ${imagesFile} has ${n} images` },
    ]);
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (labels.data[i] >= FASHION_MNIST_CLASSES.length) throw labelError(labelsFile, labels, i);
    y[i] = labels.data[i];
  }
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { features: SIDE * SIDE, classes: FASHION_MNIST_CLASSES.length, count: n, x, y };
}

/** Both splits from dir (default: Debian's install folder). Images are HWC with one channel. */
export function loadFashionMnist(dir: string = FASHION_MNIST_DIR): { train: Dataset; test: Dataset } {
  return { train: loadSplit(dir, 'train'), test: loadSplit(dir, 't10k') };
}
