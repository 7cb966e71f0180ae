// Running top-16 merge of 16 new sorted records into 16 kept ones (ascending).
`default_nettype none

module pointacc_topk_merge_w16_b16_k33_p9 (
  input wire [671:0] buf_recs,
  input wire [671:0] new_recs,
  output wire [671:0] out_recs
);
  wire [671:0] bitonic;
  assign bitonic[0 +: 42] = ((new_recs[630 +: 42] < buf_recs[0 +: 42]) ? new_recs[630 +: 42] : buf_recs[0 +: 42]);
  assign bitonic[42 +: 42] = ((new_recs[588 +: 42] < buf_recs[42 +: 42]) ? new_recs[588 +: 42] : buf_recs[42 +: 42]);
  assign bitonic[84 +: 42] = ((new_recs[546 +: 42] < buf_recs[84 +: 42]) ? new_recs[546 +: 42] : buf_recs[84 +: 42]);
  assign bitonic[126 +: 42] = ((new_recs[504 +: 42] < buf_recs[126 +: 42]) ? new_recs[504 +: 42] : buf_recs[126 +: 42]);
  assign bitonic[168 +: 42] = ((new_recs[462 +: 42] < buf_recs[168 +: 42]) ? new_recs[462 +: 42] : buf_recs[168 +: 42]);
  assign bitonic[210 +: 42] = ((new_recs[420 +: 42] < buf_recs[210 +: 42]) ? new_recs[420 +: 42] : buf_recs[210 +: 42]);
  assign bitonic[252 +: 42] = ((new_recs[378 +: 42] < buf_recs[252 +: 42]) ? new_recs[378 +: 42] : buf_recs[252 +: 42]);
  assign bitonic[294 +: 42] = ((new_recs[336 +: 42] < buf_recs[294 +: 42]) ? new_recs[336 +: 42] : buf_recs[294 +: 42]);
  assign bitonic[336 +: 42] = ((new_recs[294 +: 42] < buf_recs[336 +: 42]) ? new_recs[294 +: 42] : buf_recs[336 +: 42]);
  assign bitonic[378 +: 42] = ((new_recs[252 +: 42] < buf_recs[378 +: 42]) ? new_recs[252 +: 42] : buf_recs[378 +: 42]);
  assign bitonic[420 +: 42] = ((new_recs[210 +: 42] < buf_recs[420 +: 42]) ? new_recs[210 +: 42] : buf_recs[420 +: 42]);
  assign bitonic[462 +: 42] = ((new_recs[168 +: 42] < buf_recs[462 +: 42]) ? new_recs[168 +: 42] : buf_recs[462 +: 42]);
  assign bitonic[504 +: 42] = ((new_recs[126 +: 42] < buf_recs[504 +: 42]) ? new_recs[126 +: 42] : buf_recs[504 +: 42]);
  assign bitonic[546 +: 42] = ((new_recs[84 +: 42] < buf_recs[546 +: 42]) ? new_recs[84 +: 42] : buf_recs[546 +: 42]);
  assign bitonic[588 +: 42] = ((new_recs[42 +: 42] < buf_recs[588 +: 42]) ? new_recs[42 +: 42] : buf_recs[588 +: 42]);
  assign bitonic[630 +: 42] = ((new_recs[0 +: 42] < buf_recs[630 +: 42]) ? new_recs[0 +: 42] : buf_recs[630 +: 42]);
  pointacc_bitonic_merger_w16_k33_p9 merge (
    .in_recs(bitonic),
    .out_recs(out_recs)
  );
endmodule

`default_nettype wire
