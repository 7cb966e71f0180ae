num_pes: 64
l1_size_cstr: 32
l2_size_cstr: 147456
noc_bw_cstr: 64
offchip_bw_cstr: 4
