// Requantiser: TFLite MultiplyByQuantizedMultiplier per output channel, zero point, activation clamp.
`default_nettype none

module nacc_kc_ws_requant (
  input wire clk,
  input wire rst,
  input wire en,
  input wire in_valid,
  input wire signed [31:0] acc,
  input wire signed [31:0] bias,
  input wire signed [31:0] mult,
  input wire signed [7:0] shift,
  input wire signed [7:0] out_zp,
  input wire signed [7:0] act_min,
  input wire signed [7:0] act_max,
  output wire out_valid,
  output wire [7:0] out
);
  reg v1;
  reg signed [31:0] x1;
  reg signed [31:0] m1;
  reg [4:0] right1;
  reg signed [7:0] zp1;
  reg signed [7:0] lo1;
  reg signed [7:0] hi1;
  reg v2;
  reg signed [63:0] p2;
  reg sat2;
  reg [4:0] right2;
  reg signed [7:0] zp2;
  reg signed [7:0] lo2;
  reg signed [7:0] hi2;
  reg v3;
  reg [7:0] y3;
  wire signed [31:0] sum;
  wire [4:0] left;
  wire [4:0] right;
  wire signed [63:0] nudged;
  wire signed [63:0] hm64;
  wire signed [31:0] hm;
  wire [31:0] mask;
  wire [31:0] rem;
  wire [31:0] thr;
  wire signed [31:0] rounded;
  wire signed [31:0] biased;
  reg signed [31:0] clamped;
  wire signed [7:0] neg_shift;
  wire unused_bits;
  assign sum = (acc + bias);
  assign left = ((shift > 8'sd0) ? shift[4:0] : 5'd0);
  assign neg_shift = (8'sd0 - shift);
  assign right = ((shift > 8'sd0) ? 5'd0 : neg_shift[4:0]);
  always @(posedge clk) begin
    if (rst) begin
      v1 <= 1'd0;
      v2 <= 1'd0;
      v3 <= 1'd0;
    end else begin
      if (en) begin
        v1 <= in_valid;
        v2 <= v1;
        v3 <= v2;
      end
    end
  end
  always @(posedge clk) begin
    if (en) begin
      x1 <= (sum <<< left);
      m1 <= mult;
      right1 <= right;
      zp1 <= out_zp;
      lo1 <= act_min;
      hi1 <= act_max;
      p2 <= ($signed({{32{x1[31]}}, x1}) * $signed({{32{m1[31]}}, m1}));
      sat2 <= ((x1 == (-32'sh80000000)) && (m1 == (-32'sh80000000)));
      right2 <= right1;
      zp2 <= zp1;
      lo2 <= lo1;
      hi2 <= hi1;
      y3 <= clamped[7:0];
    end
  end
  assign nudged = (p2 + (p2[63] ? (-64'sh3fffffff) : 64'sh40000000));
  assign hm64 = ((nudged >>> 31) + ((nudged[63] && (nudged[30:0] != 31'h0)) ? 64'sh1 : 64'sh0));
  assign hm = (sat2 ? 32'sh7fffffff : $signed(hm64[31:0]));
  assign unused_bits = (^{hm64[63:32], clamped[31:8], neg_shift[7:5]});
  assign mask = ((32'h1 << right2) - 32'h1);
  assign rem = (hm & mask);
  assign thr = ((mask >> 1) + {31'h0, hm[31]});
  assign rounded = ((hm >>> right2) + $signed({31'h0, (rem > thr)}));
  assign biased = (rounded + $signed({{24{zp2[7]}}, zp2}));
  always @* begin
    clamped = biased;
    if ((biased < $signed({{24{lo2[7]}}, lo2}))) begin
      clamped = $signed({{24{lo2[7]}}, lo2});
    end
    if ((biased > $signed({{24{hi2[7]}}, hi2}))) begin
      clamped = $signed({{24{hi2[7]}}, hi2});
    end
  end
  assign out_valid = v3;
  assign out = y3;
endmodule

`default_nettype wire
