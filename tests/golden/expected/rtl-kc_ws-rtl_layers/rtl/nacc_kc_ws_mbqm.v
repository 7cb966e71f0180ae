// TFLite MultiplyByQuantizedMultiplier, 32-bit result (combinational).
`default_nettype none

module nacc_kc_ws_mbqm (
  input wire signed [31:0] x,
  input wire signed [31:0] m,
  input wire signed [7:0] sh,
  output wire signed [31:0] y
);
  wire [4:0] left;
  wire [4:0] right;
  wire signed [7:0] neg_sh;
  wire signed [31:0] xl;
  wire signed [63:0] p;
  wire sat;
  wire signed [63:0] nudged;
  wire signed [63:0] hm64;
  wire signed [31:0] hm;
  wire [31:0] mask;
  wire [31:0] rem;
  wire [31:0] thr;
  wire unused_bits;
  assign neg_sh = (8'sd0 - sh);
  assign left = ((sh > 8'sd0) ? sh[4:0] : 5'd0);
  assign right = ((sh > 8'sd0) ? 5'd0 : neg_sh[4:0]);
  assign xl = (x <<< left);
  assign p = ($signed({{32{xl[31]}}, xl}) * $signed({{32{m[31]}}, m}));
  assign sat = ((xl == (-32'sh80000000)) && (m == (-32'sh80000000)));
  assign nudged = (p + (p[63] ? (-64'sh3fffffff) : 64'sh40000000));
  assign hm64 = ((nudged >>> 31) + ((nudged[63] && (nudged[30:0] != 31'h0)) ? 64'sh1 : 64'sh0));
  assign hm = (sat ? 32'sh7fffffff : $signed(hm64[31:0]));
  assign mask = ((32'h1 << right) - 32'h1);
  assign rem = (hm & mask);
  assign thr = ((mask >> 1) + {31'h0, hm[31]});
  assign y = ((hm >>> right) + $signed({31'h0, (rem > thr)}));
  assign unused_bits = (^{hm64[63:32], neg_sh[7:5]});
endmodule

`default_nettype wire
