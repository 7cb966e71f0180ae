Constant KS 3;
Network Misc {
	Layer Batched {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { N: 4, K: 32, C: 16, R: KS, S: KS, Y: 18, X: 18 }
		Dataflow {
			TemporalMap(1,1) N;
			SpatialMap(1,1) K;
			TemporalMap(8,8) C;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
			TemporalMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			Cluster(8, P);
			SpatialMap(1,1) C;
			TemporalMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
		}
	}
}
