num_pes: 256
l1_size_cstr: 64
l2_size_cstr: 262144
noc_bw_cstr: 256
offchip_bw_cstr: 16
