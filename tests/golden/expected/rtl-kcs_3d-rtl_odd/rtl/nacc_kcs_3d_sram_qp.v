// Global-buffer bank: 96 bytes in 16 byte lanes, 16-byte writes, 16-byte synchronous reads.
`default_nettype none

module nacc_kcs_3d_sram_qp (
  input wire clk,
  input wire we,
  input wire [6:0] waddr,
  input wire [127:0] wdata,
  input wire re,
  input wire [6:0] raddr,
  output wire [127:0] rdata
);
  wire [2:0] wrow;
  wire [2:0] rrow;
  wire [15:0] lane_we;
  wire [127:0] lane_wdata;
  wire [127:0] lane_q;
  assign wrow = waddr[6:4];
  assign rrow = raddr[6:4];
  assign lane_we = {we, we, we, we, we, we, we, we, we, we, we, we, we, we, we, we};
  assign lane_wdata = wdata;
  for (genvar l = 0; l < 16; l = l + 1) begin : g_lane
    reg [7:0] bytes [0:5];
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
  assign rdata = lane_q;
  wire unused_align;
  assign unused_align = (^{raddr[3:0], waddr[3:0]});
endmodule

`default_nettype wire
