// A small supernet the network-level tests share (16x16 synthetic digits, two stages).
export const TINY = `
supernet tiny {
  channels: 1
  data: synthetic_digits(samples: 256)
  resolution: [12, 16]
  stem: conv(out: 8, stride: 2)
  stages: [
    stage(out: 8, stride: 1, depth: 1..2, width: [0.5, 1.0], expand: [2, 3], kernel: [3, 5]),
    stage(out: 16, stride: 2, depth: [1, 2], width: [0.5, 1.0], expand: [2, 3], kernel: [3, 5])
  ]
  head: 16
  classes: 10
}
`;
