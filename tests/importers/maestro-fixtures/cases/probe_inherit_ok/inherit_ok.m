Network Inh {
	Layer A {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 64, C: 32, R: 3, S: 3, Y: 30, X: 30 }
		Dataflow {
			SpatialMap(1,1) K;
			TemporalMap(16,16) C;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
			TemporalMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			Cluster(16, P);
			SpatialMap(1,1) C;
			TemporalMap(Sz(R),1) Y;
			TemporalMap(Sz(S),1) X;
			TemporalMap(Sz(R),Sz(R)) R;
			TemporalMap(Sz(S),Sz(S)) S;
		}
	}
	Layer B {
		Type: CONV
		Stride { X: 1, Y: 1 }
		Dimensions { K: 32, C: 64, R: 3, S: 3, Y: 28, X: 28 }
	}
	Layer C {
		Type: CONV
		Stride { X: 2, Y: 2 }
		Dimensions { K: 16, C: 32, R: 3, S: 3, Y: 27, X: 27 }
	}
}
