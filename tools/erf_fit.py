"""Offline, one-off: fit the rational approximations of erfc used by fcnn.activations.GELU.

Needs mpmath (pip install mpmath). Prints coefficients that were pasted into
src/fcnn/activations/smooth.py as literals; kept so the constants can be reproduced.
"""
import sys
import mpmath as mp
import numpy as np
mp.mp.dps = 40

def fit(f, var, a, b, m, n, M=300, iters=25):
    # nodes in the *variable* domain [a,b]
    nodes = [mp.mpf(a+b)/2 + mp.mpf(b-a)/2*mp.cos(mp.pi*(k+mp.mpf(1)/2)/M) for k in range(M)]
    fv = [f(v) for v in nodes]
    qprev = [mp.mpf(1)]*M
    lw = [mp.mpf(1)]*M
    best=None
    for it in range(iters):
        A = mp.matrix(M, m+1+n); rhs = mp.matrix(M,1)
        for i,(v,y) in enumerate(zip(nodes,fv)):
            w = mp.sqrt(lw[i])/(abs(y)*qprev[i])
            for j in range(m+1):
                A[i,j] = w*v**j
            for j in range(1,n+1):
                A[i,m+j] = -w*y*v**j
            rhs[i] = w*y
        sol,_ = mp.qr_solve(A, rhs)
        p=[sol[j] for j in range(m+1)]; q=[mp.mpf(1)]+[sol[m+j] for j in range(1,n+1)]
        P=lambda v: sum(c*v**j for j,c in enumerate(p)); Q=lambda v: sum(c*v**j for j,c in enumerate(q))
        errs=[(P(v)/Q(v)-y)/y for v,y in zip(nodes,fv)]
        mx=max(abs(e) for e in errs)
        if best is None or mx<best[0]: best=(mx,p,q)
        qprev=[abs(Q(v)) for v in nodes]
        if it>=5:  # Lawson
            lw=[l*abs(e) for l,e in zip(lw,errs)]; s=sum(lw); lw=[l/s*M for l in lw]
    return best

def check(f, var_of_x, xs, p, q, comb):
    pf=[float(c) for c in p]; qf=[float(c) for c in q]
    xs=np.asarray(xs)
    v=var_of_x(xs)
    P=np.zeros_like(v); 
    for c in reversed(pf): P=P*v+c
    Q=np.zeros_like(v)
    for c in reversed(qf): Q=Q*v+c
    approx=comb(xs,P/Q)
    ref=np.array([float(f(mp.mpf(float(x)))) for x in xs])
    return np.max(np.abs(approx-ref)/np.abs(ref))

if __name__=="__main__":
    which=sys.argv[1]; m=int(sys.argv[2]); n=int(sys.argv[3])
    if which=="A":
        f=lambda t: mp.erf(mp.sqrt(t))/mp.sqrt(t) if t>0 else 2/mp.sqrt(mp.pi)
        a,b=0,float(sys.argv[4])**2
        mx,p,q=fit(f,None,a,b,m,n)
        xs=np.linspace(1e-6,float(sys.argv[4]),3001)
        e=check(lambda x: mp.erf(x), lambda x: x*x, xs, p,q, lambda x,r: x*r)
    else:
        lo,hi=float(sys.argv[4]),float(sys.argv[5])
        f=lambda z: mp.erfc(z)*mp.exp(z*z)
        mx,p,q=fit(f,None,lo,hi,m,n)
        xs=np.linspace(lo,hi,3001)
        e=check(lambda z: mp.erfc(z), lambda z: z, xs, p,q, lambda z,r: np.exp(-z*z)*r)
    print(which,m,n,"fit relerr",mp.nstr(mx,3),"float64 relerr",e)
    print("p=",[repr(float(c)) for c in p]); print("q=",[repr(float(c)) for c in q])
