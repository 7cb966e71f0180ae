// Global-buffer bank: 512 bytes in 8 byte lanes, 8-byte writes, 1-byte synchronous reads.
`default_nettype none

module nacc_kc_ws_sram_act (
  input wire clk,
  input wire we,
  input wire [8:0] waddr,
  input wire [63:0] wdata,
  input wire [7:0] wmask,
  input wire re,
  input wire [8:0] raddr,
  output wire [7:0] rdata
);
  wire [5:0] wrow;
  wire [5:0] rrow;
  wire [7:0] lane_we;
  wire [63:0] lane_wdata;
  wire [63:0] lane_q;
  assign wrow = waddr[8:3];
  assign rrow = raddr[8:3];
  assign lane_we = {(we && wmask[7]), (we && wmask[6]), (we && wmask[5]), (we && wmask[4]), (we && wmask[3]), (we && wmask[2]), (we && wmask[1]), (we && wmask[0])};
  assign lane_wdata = wdata;
  for (genvar l = 0; l < 8; l = l + 1) begin : g_lane
    reg [7:0] bytes [0:63];
    reg [7:0] q;
    always @(posedge clk) begin
      if (lane_we[l]) begin
        bytes[wrow] <= lane_wdata[(l * 8) +: 8];
      end
      if (re) begin
        q <= bytes[rrow];
      end
    end
    assign lane_q[(l * 8) +: 8] = q;
  end
  reg [2:0] rsel;
  always @(posedge clk) begin
    if (re) begin
      rsel <= raddr[2:0];
    end
  end
  assign rdata = lane_q[{rsel, 3'd0} +: 8];
  wire unused_align;
  assign unused_align = (^{waddr[2:0]});
endmodule

`default_nettype wire
