Constant KS 3;
Network Misc {
	Layer ThreeLevel {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 64, C: 32, R: 3, S: 3, Y: 20, X: 20 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
			TemporalMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			Cluster(16, P);
			SpatialMap(4,4) C;
			TemporalMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			Cluster(4, P);
			SpatialMap(1,1) C;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
		}
	}
}
