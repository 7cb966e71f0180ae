num_pes: 168
noc_bw_cstr: 32
NoC_NumHops: 3
