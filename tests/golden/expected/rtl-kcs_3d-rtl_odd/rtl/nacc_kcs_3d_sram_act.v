// Global-buffer bank: 288 bytes in 16 byte lanes, 16-byte writes, 1-byte synchronous reads.
`default_nettype none

module nacc_kcs_3d_sram_act (
  input wire clk,
  input wire we,
  input wire [8:0] waddr,
  input wire [127:0] wdata,
  input wire [15:0] wmask,
  input wire re,
  input wire [8:0] raddr,
  output wire [7:0] rdata
);
  wire [4:0] wrow;
  wire [4:0] rrow;
  wire [15:0] lane_we;
  wire [127:0] lane_wdata;
  wire [127:0] lane_q;
  assign wrow = waddr[8:4];
  assign rrow = raddr[8:4];
  assign lane_we = {(we && wmask[15]), (we && wmask[14]), (we && wmask[13]), (we && wmask[12]), (we && wmask[11]), (we && wmask[10]), (we && wmask[9]), (we && wmask[8]), (we && wmask[7]), (we && wmask[6]), (we && wmask[5]), (we && wmask[4]), (we && wmask[3]), (we && wmask[2]), (we && wmask[1]), (we && wmask[0])};
  assign lane_wdata = wdata;
  for (genvar l = 0; l < 16; l = l + 1) begin : g_lane
    reg [7:0] bytes [0:17];
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
  reg [3:0] rsel;
  always @(posedge clk) begin
    if (re) begin
      rsel <= raddr[3:0];
    end
  end
  assign rdata = lane_q[{rsel, 3'd0} +: 8];
  wire unused_align;
  assign unused_align = (^{waddr[3:0]});
endmodule

`default_nettype wire
