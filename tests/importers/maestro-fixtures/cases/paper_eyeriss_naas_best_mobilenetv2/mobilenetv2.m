// nacc search --evaluator maestro --protocol paper: naas_best
// run: maestro --Mapping_file=mobilenetv2.m --num_pes=165 --l1_size_cstr=416 --l2_size_cstr=127968 --noc_bw_cstr=64 --offchip_bw_cstr=16 --print_res=true --print_res_csv_file=true --print_log_file=false
Network mobilenetv2 {
	Layer x_1 {
		Type: CONV
		Stride { Y: 2, X: 2 }
		Dimensions { K: 32, C: 3, R: 3, S: 3, Y: 225, X: 225 }
		Dataflow {
			TemporalMap(3,3) C;
			TemporalMap(13,13) X';
			SpatialMap(1,1) Y';
			TemporalMap(4,4) K;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) K;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_2.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 32, R: 3, S: 3, Y: 114, X: 114 }
		Dataflow {
			SpatialMap(14,14) Y';
			TemporalMap(16,16) C;
			TemporalMap(4,4) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(2,2) Y';
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_2.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 16, C: 32, R: 1, S: 1, Y: 112, X: 112 }
		Dataflow {
			TemporalMap(16,16) K;
			TemporalMap(16,16) C;
			TemporalMap(8,8) X';
			SpatialMap(8,8) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(4,4) K;
			SpatialMap(1,1) C;
			TemporalMap(2,2) X';
			TemporalMap(2,2) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_1_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 96, C: 16, R: 1, S: 1, Y: 112, X: 112 }
		Dataflow {
			SpatialMap(4,4) Y';
			TemporalMap(7,7) X';
			TemporalMap(16,16) C;
			TemporalMap(32,32) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(4,4) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_1_.dw {
		Type: DSCONV
		Stride { Y: 2, X: 2 }
		Dimensions { K: 1, C: 96, R: 3, S: 3, Y: 113, X: 113 }
		Dataflow {
			TemporalMap(1,1) X';
			SpatialMap(15,15) Y';
			TemporalMap(96,96) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_3_1_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 24, C: 96, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			TemporalMap(24,24) K;
			TemporalMap(32,32) C;
			TemporalMap(7,7) X';
			SpatialMap(7,7) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_2_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 144, C: 24, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			TemporalMap(8,8) C;
			TemporalMap(24,24) K;
			TemporalMap(1,1) X';
			SpatialMap(4,4) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_2_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 144, R: 3, S: 3, Y: 58, X: 58 }
		Dataflow {
			TemporalMap(6,6) C;
			TemporalMap(28,28) X';
			SpatialMap(4,4) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(7,7) X';
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_3_2_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 24, C: 144, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			TemporalMap(24,24) C;
			TemporalMap(8,8) X';
			SpatialMap(4,4) Y';
			TemporalMap(12,12) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(2,2) X';
			TemporalMap(1,1) Y';
			TemporalMap(2,2) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_4_1_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 144, C: 24, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			TemporalMap(8,8) C;
			TemporalMap(24,24) K;
			TemporalMap(1,1) X';
			SpatialMap(4,4) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_4_1_.dw {
		Type: DSCONV
		Stride { Y: 2, X: 2 }
		Dimensions { K: 1, C: 144, R: 3, S: 3, Y: 57, X: 57 }
		Dataflow {
			TemporalMap(24,24) C;
			TemporalMap(13,13) X';
			SpatialMap(13,13) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_4_1_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 32, C: 144, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			TemporalMap(32,32) K;
			TemporalMap(72,72) C;
			TemporalMap(2,2) X';
			SpatialMap(4,4) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(2,2) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_4_2_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 192, C: 32, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			TemporalMap(8,8) C;
			TemporalMap(48,48) K;
			TemporalMap(7,7) X';
			SpatialMap(2,2) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(4,4) K;
			TemporalMap(7,7) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_4_2_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 192, R: 3, S: 3, Y: 30, X: 30 }
		Dataflow {
			TemporalMap(8,8) C;
			TemporalMap(2,2) X';
			SpatialMap(4,4) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(2,2) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_4_2_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 32, C: 192, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			TemporalMap(64,64) C;
			SpatialMap(4,4) Y';
			TemporalMap(7,7) X';
			TemporalMap(16,16) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(2,2) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_4_3_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 192, C: 32, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			TemporalMap(8,8) C;
			TemporalMap(48,48) K;
			TemporalMap(7,7) X';
			SpatialMap(2,2) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(4,4) K;
			TemporalMap(7,7) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_4_3_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 192, R: 3, S: 3, Y: 30, X: 30 }
		Dataflow {
			TemporalMap(8,8) C;
			TemporalMap(2,2) X';
			SpatialMap(4,4) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(2,2) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_4_3_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 32, C: 192, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			TemporalMap(64,64) C;
			SpatialMap(4,4) Y';
			TemporalMap(7,7) X';
			TemporalMap(16,16) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(2,2) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_1_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 192, C: 32, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			TemporalMap(8,8) C;
			TemporalMap(48,48) K;
			TemporalMap(7,7) X';
			SpatialMap(2,2) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(4,4) K;
			TemporalMap(7,7) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_1_.dw {
		Type: DSCONV
		Stride { Y: 2, X: 2 }
		Dimensions { K: 1, C: 192, R: 3, S: 3, Y: 29, X: 29 }
		Dataflow {
			TemporalMap(27,27) X';
			TemporalMap(4,4) C;
			SpatialMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(27,27) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_5_1_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 192, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(14,14) X';
			TemporalMap(8,8) C;
			SpatialMap(1,1) Y';
			TemporalMap(32,32) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(14,14) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(8,8) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_2_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 384, C: 64, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(64,64) K;
			TemporalMap(2,2) X';
			SpatialMap(7,7) Y';
			TemporalMap(64,64) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_2_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 384, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(2,2) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_5_2_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 384, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			SpatialMap(1,1) Y';
			TemporalMap(64,64) K;
			TemporalMap(2,2) X';
			TemporalMap(64,64) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) Y';
			TemporalMap(4,4) K;
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_3_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 384, C: 64, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(64,64) K;
			TemporalMap(2,2) X';
			SpatialMap(7,7) Y';
			TemporalMap(64,64) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_3_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 384, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(2,2) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_5_3_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 384, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			SpatialMap(1,1) Y';
			TemporalMap(64,64) K;
			TemporalMap(2,2) X';
			TemporalMap(64,64) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) Y';
			TemporalMap(4,4) K;
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_4_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 384, C: 64, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(64,64) K;
			TemporalMap(2,2) X';
			SpatialMap(7,7) Y';
			TemporalMap(64,64) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_4_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 384, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(2,2) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_5_4_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 384, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			SpatialMap(1,1) Y';
			TemporalMap(64,64) K;
			TemporalMap(2,2) X';
			TemporalMap(64,64) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) Y';
			TemporalMap(4,4) K;
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_6_1_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 384, C: 64, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(64,64) K;
			TemporalMap(2,2) X';
			SpatialMap(7,7) Y';
			TemporalMap(64,64) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_6_1_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 384, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(2,2) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_6_1_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 96, C: 384, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(96,96) C;
			TemporalMap(7,7) X';
			TemporalMap(96,96) K;
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(7,7) X';
			TemporalMap(24,24) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_6_2_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 576, C: 96, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(96,96) C;
			TemporalMap(288,288) K;
			TemporalMap(2,2) X';
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(16,16) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_6_2_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 576, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(7,7) X';
			TemporalMap(72,72) C;
			SpatialMap(2,2) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(7,7) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_6_2_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 96, C: 576, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(192,192) C;
			SpatialMap(1,1) Y';
			TemporalMap(14,14) X';
			TemporalMap(16,16) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(4,4) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_6_3_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 576, C: 96, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(96,96) C;
			TemporalMap(288,288) K;
			TemporalMap(2,2) X';
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(16,16) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_6_3_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 576, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(7,7) X';
			TemporalMap(72,72) C;
			SpatialMap(2,2) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(7,7) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_6_3_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 96, C: 576, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(192,192) C;
			SpatialMap(1,1) Y';
			TemporalMap(14,14) X';
			TemporalMap(16,16) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(4,4) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_1_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 576, C: 96, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(96,96) C;
			TemporalMap(288,288) K;
			TemporalMap(2,2) X';
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(16,16) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_1_.dw {
		Type: DSCONV
		Stride { Y: 2, X: 2 }
		Dimensions { K: 1, C: 576, R: 3, S: 3, Y: 15, X: 15 }
		Dataflow {
			TemporalMap(4,4) C;
			TemporalMap(13,13) X';
			SpatialMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_7_1_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 160, C: 576, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(7,7) X';
			TemporalMap(288,288) C;
			TemporalMap(20,20) K;
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(4,4) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_2_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 960, C: 160, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(32,32) C;
			SpatialMap(1,1) Y';
			TemporalMap(60,60) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_2_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 960, R: 3, S: 3, Y: 9, X: 9 }
		Dataflow {
			TemporalMap(7,7) X';
			TemporalMap(8,8) C;
			SpatialMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(7,7) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_7_2_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 160, C: 960, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(240,240) C;
			TemporalMap(7,7) X';
			TemporalMap(80,80) K;
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(20,20) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_3_.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 960, C: 160, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(32,32) C;
			SpatialMap(1,1) Y';
			TemporalMap(60,60) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_3_.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 960, R: 3, S: 3, Y: 9, X: 9 }
		Dataflow {
			TemporalMap(7,7) X';
			TemporalMap(8,8) C;
			SpatialMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(7,7) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_7_3_.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 160, C: 960, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(240,240) C;
			TemporalMap(7,7) X';
			TemporalMap(80,80) K;
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(20,20) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_8.expand {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 960, C: 160, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(32,32) C;
			SpatialMap(1,1) Y';
			TemporalMap(60,60) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(2,2) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_8.dw {
		Type: DSCONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1, C: 960, R: 3, S: 3, Y: 9, X: 9 }
		Dataflow {
			TemporalMap(7,7) X';
			TemporalMap(8,8) C;
			SpatialMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(11, P);
			TemporalMap(7,7) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_8.project {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 320, C: 960, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(64,64) C;
			TemporalMap(160,160) K;
			TemporalMap(7,7) X';
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(8,8) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_9 {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1280, C: 320, R: 1, S: 1, Y: 7, X: 7 }
		Dataflow {
			TemporalMap(64,64) C;
			SpatialMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(5,5) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(5,5) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer dense {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1000, C: 1280, R: 1, S: 1, Y: 1, X: 1 }
		Dataflow {
			TemporalMap(1,1) X';
			TemporalMap(640,640) C;
			TemporalMap(50,50) K;
			SpatialMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(11, P);
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
}
