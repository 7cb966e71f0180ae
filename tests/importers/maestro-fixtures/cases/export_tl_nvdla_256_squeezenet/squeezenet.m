// nvdla_256: squeezenet, written by nacc from the searched loop nests
// run: maestro --HW_file=hw.m --Mapping_file=squeezenet.m --print_res=true --print_res_csv_file=true --print_log_file=false
Network squeezenet {
	Layer x_1 {
		Type: CONV
		Stride { Y: 2, X: 2 }
		Dimensions { K: 64, C: 3, R: 3, S: 3, Y: 225, X: 225 }
		Dataflow {
			TemporalMap(55,55) Y';
			SpatialMap(1,1) K;
			TemporalMap(31,31) X';
			TemporalMap(3,3) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(3, P);
			TemporalMap(1,1) Y';
			TemporalMap(1,1) K;
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_3_1_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 16, C: 64, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			TemporalMap(16,16) C;
			TemporalMap(4,4) Y';
			TemporalMap(4,4) X';
			SpatialMap(1,1) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) K;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_1_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 16, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(14,14) Y';
			TemporalMap(4,4) X';
			TemporalMap(16,16) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_1_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 16, R: 3, S: 3, Y: 58, X: 58 }
		Dataflow {
			TemporalMap(4,4) X';
			SpatialMap(1,1) K;
			TemporalMap(4,4) Y';
			TemporalMap(16,16) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			TemporalMap(1,1) X';
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_3_2_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 16, C: 128, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(56,56) Y';
			TemporalMap(56,56) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_2_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 16, R: 1, S: 1, Y: 56, X: 56 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(14,14) Y';
			TemporalMap(4,4) X';
			TemporalMap(16,16) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			SpatialMap(1,1) C;
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_3_2_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 16, R: 3, S: 3, Y: 58, X: 58 }
		Dataflow {
			TemporalMap(4,4) X';
			SpatialMap(1,1) K;
			TemporalMap(4,4) Y';
			TemporalMap(16,16) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			TemporalMap(1,1) X';
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_5_1_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 32, C: 128, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(2,2) X';
			TemporalMap(7,7) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_1_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 128, C: 32, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_1_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 128, C: 32, R: 3, S: 3, Y: 30, X: 30 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(2,2) Y';
			TemporalMap(28,28) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_5_2_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 32, C: 256, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(14,14) Y';
			TemporalMap(28,28) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_2_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 128, C: 32, R: 1, S: 1, Y: 28, X: 28 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(1,1) Y';
			TemporalMap(7,7) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_5_2_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 128, C: 32, R: 3, S: 3, Y: 30, X: 30 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(2,2) Y';
			TemporalMap(28,28) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_7_1_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 48, C: 256, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(1,1) X';
			TemporalMap(14,14) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_1_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 192, C: 48, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(2,2) Y';
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(7,7) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_1_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 192, C: 48, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(14,14) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_7_2_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 48, C: 384, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(7,7) Y';
			TemporalMap(14,14) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_2_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 192, C: 48, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(2,2) Y';
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(7,7) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) Y';
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_7_2_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 192, C: 48, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(14,14) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_8_1_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 384, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(7,7) Y';
			TemporalMap(14,14) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_8_1_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 256, C: 64, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(14,14) Y';
			TemporalMap(14,14) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_8_1_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 256, C: 64, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(7,7) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_8_2_.s {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 64, C: 512, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(7,7) X';
			TemporalMap(14,14) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_8_2_.a {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 256, C: 64, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(14,14) Y';
			TemporalMap(14,14) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
	Layer x_8_2_.b {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 256, C: 64, R: 3, S: 3, Y: 16, X: 16 }
		Dataflow {
			TemporalMap(16,16) C;
			SpatialMap(1,1) K;
			TemporalMap(7,7) Y';
			TemporalMap(14,14) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(1,1) K;
			TemporalMap(1,1) Y';
			TemporalMap(1,1) X';
			TemporalMap(3,3) R;
			TemporalMap(3,3) S;
		}
	}
	Layer x_9 {
		Type: CONV
		Stride { Y: 1, X: 1 }
		Dimensions { K: 1000, C: 512, R: 1, S: 1, Y: 14, X: 14 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
			Cluster(16, P);
			TemporalMap(1,1) K;
			SpatialMap(1,1) C;
			TemporalMap(1,1) X';
			TemporalMap(1,1) Y';
			TemporalMap(1,1) R;
			TemporalMap(1,1) S;
		}
	}
}
