Constant KS 3;
Network Misc {
	Layer OddEdges {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 37, C: 13, R: 3, S: 3, Y: 23, X: 19 }
		Dataflow {
			TemporalMap(5,5) K;
			SpatialMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			TemporalMap(3,3) C;
			Cluster(7, P);
			SpatialMap(2,2) K;
			TemporalMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
		}
	}
}
