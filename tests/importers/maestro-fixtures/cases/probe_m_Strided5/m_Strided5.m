Constant KS 3;
Network Misc {
	Layer Strided5 {
		Type: CONV
		Stride { X: 3, Y: 3 }
		Dimensions { K: 24, C: 8, R: 5, S: 5, Y: 41, X: 41 }
		Dataflow {
			SpatialMap(2,2) Y';
			TemporalMap(3,3) X';
			TemporalMap(4,4) C;
			TemporalMap(8,8) K;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
			Cluster(5,P);
			SpatialMap(1,1) Y;
			SpatialMap(1,1) R;
			TemporalMap(Sz(S),Sz(S)) S;
		}
	}
}
