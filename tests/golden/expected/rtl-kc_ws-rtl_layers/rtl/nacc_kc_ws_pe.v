// Processing element: int8 x int9 multiply, int32 accumulate into a partial-sum register file.
`default_nettype none

module nacc_kc_ws_pe (
  input wire clk,
  input wire en,
  input wire ok,
  input wire first,
  input wire [3:0] waddr,
  input wire signed [7:0] w,
  input wire signed [8:0] x,
  input wire [3:0] raddr,
  output wire signed [31:0] psum
);
  wire signed [16:0] prod;
  wire signed [31:0] prod32;
  reg signed [31:0] rf [0:15];
  assign prod = ($signed({{9{w[7]}}, w}) * $signed({{8{x[8]}}, x}));
  assign prod32 = (ok ? $signed({{15{prod[16]}}, prod}) : 32'sh0);
  always @(posedge clk) begin
    if (en) begin
      rf[waddr] <= ((first ? 32'sh0 : rf[waddr]) + prod32);
    end
  end
  assign psum = rf[raddr];
endmodule

`default_nettype wire
