Network NG {
	Layer Grouped {
		Type: NGCONV
		Stride { X: 1, Y: 1 }
		Dimensions { G: 4, K: 16, C: 8, R: 3, S: 3, Y: 14, X: 14 }
		Dataflow {
			TemporalMap(1,1) G;
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
