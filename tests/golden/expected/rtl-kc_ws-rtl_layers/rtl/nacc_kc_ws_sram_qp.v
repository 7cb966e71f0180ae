// Global-buffer bank: 192 bytes in 16 byte lanes, 8-byte writes, 16-byte synchronous reads.
`default_nettype none

module nacc_kc_ws_sram_qp (
  input wire clk,
  input wire we,
  input wire [7:0] waddr,
  input wire [63:0] wdata,
  input wire re,
  input wire [7:0] raddr,
  output wire [127:0] rdata
);
  wire [3:0] wrow;
  wire [3:0] rrow;
  wire [15:0] lane_we;
  wire [127:0] lane_wdata;
  wire [127:0] lane_q;
  assign wrow = waddr[7:4];
  assign rrow = raddr[7:4];
  assign lane_we = {(we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd1)), (we && (waddr[3:3] == 1'd0)), (we && (waddr[3:3] == 1'd0)), (we && (waddr[3:3] == 1'd0)), (we && (waddr[3:3] == 1'd0)), (we && (waddr[3:3] == 1'd0)), (we && (waddr[3:3] == 1'd0)), (we && (waddr[3:3] == 1'd0)), (we && (waddr[3:3] == 1'd0))};
  assign lane_wdata = {2{wdata}};
  for (genvar l = 0; l < 16; l = l + 1) begin : g_lane
    reg [7:0] bytes [0:11];
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
  assign unused_align = (^{raddr[3:0], waddr[2:0]});
endmodule

`default_nettype wire
