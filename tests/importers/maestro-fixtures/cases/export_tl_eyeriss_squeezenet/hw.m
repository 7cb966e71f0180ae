num_pes: 168
l1_size_cstr: 260
l2_size_cstr: 55296
noc_bw_cstr: 168
offchip_bw_cstr: 4
