// SPDX-License-Identifier: LGPL-2.1-or-later
pragma solidity ^0.8.20;

import "./Manager.sol";

// BondingManager's state, events and views (BondingManager.sol holds what changes them). The
// earnings model is described there.
abstract contract BondingState is Manager {
    uint256 internal constant PERC_DIVISOR = 1000000;
    // Fixed-point one for the cumulative factors (27 decimals keeps rounding far below a wei).
    uint256 internal constant FACTOR_ONE = 1e27;
    uint256 internal constant NEVER = type(uint256).max;

    enum DelegatorStatus {
        Pending,
        Bonded,
        Unbonded
    }
    enum TranscoderStatus {
        NotRegistered,
        Registered
    }

    struct EarningsPool {
        uint256 totalStake;
        uint256 transcoderRewardCut;
        uint256 transcoderFeeShare;
        uint256 cumulativeRewardFactor;
        uint256 cumulativeFeeFactor;
        // The reward factor before this round's reward: fees are shared on the stake the
        // round started with, whose units were worth this much.
        uint256 roundStartRewardFactor;
    }

    struct Transcoder {
        uint256 lastRewardRound;
        uint256 rewardCut; // share of rewards the transcoder keeps, of PERC_DIVISOR
        uint256 feeShare; // share of fees passed on to delegators, of PERC_DIVISOR
        // The round from which delegatedAmount is the stake in effect; a change made in round
        // r takes effect in r + 1 and freezes round r's stake in earningsPools[r].totalStake.
        uint256 lastActiveStakeUpdateRound;
        uint256 activationRound;
        uint256 deactivationRound;
        uint256 activeCumulativeRewards;
        uint256 cumulativeRewards;
        uint256 cumulativeFees;
        uint256 lastFeeRound;
        mapping(uint256 => EarningsPool) earningsPools;
    }

    struct UnbondingLock {
        uint256 amount;
        uint256 withdrawRound;
    }

    struct Delegator {
        uint256 bondedAmount;
        uint256 fees;
        address delegateAddress;
        uint256 delegatedAmount;
        uint256 startRound;
        uint256 lastClaimRound;
        uint256 nextUnbondingLockId;
        mapping(uint256 => UnbondingLock) unbondingLocks;
    }

    // The transcoder pool: a list sorted by stake, largest first, at most poolMaxSize long.
    struct PoolNode {
        uint256 stake;
        address prev;
        address next;
        bool member;
    }

    uint64 public unbondingPeriod;
    uint256 public currentRoundTotalActiveStake;
    uint256 public nextRoundTotalActiveStake;

    mapping(address => Delegator) internal delegators;
    mapping(address => Transcoder) internal transcoders;

    mapping(address => PoolNode) internal poolNodes;
    address internal poolHead;
    address internal poolTail;
    uint256 internal poolSize;
    uint256 internal poolMaxSize;

    event TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare);
    event TranscoderActivated(address indexed transcoder, uint256 activationRound);
    event TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound);
    event Reward(address indexed transcoder, uint256 amount);
    event Bond(
        address indexed newDelegate,
        address indexed oldDelegate,
        address indexed delegator,
        uint256 additionalAmount,
        uint256 bondedAmount
    );
    event Unbond(
        address indexed delegate,
        address indexed delegator,
        uint256 unbondingLockId,
        uint256 amount,
        uint256 withdrawRound
    );
    event Rebond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount);
    event WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound);
    event WithdrawFees(address indexed delegator, address recipient, uint256 amount);
    event EarningsClaimed(
        address indexed delegate,
        address indexed delegator,
        uint256 rewards,
        uint256 fees,
        uint256 startRound,
        uint256 endRound
    );
    // ---- views ----

    function pendingStake(address _delegator, uint256) public view returns (uint256) {
        (uint256 stake, ) = _pendingStakeAndFees(_delegator, _currentRound());
        return stake;
    }

    function pendingFees(address _delegator, uint256) public view returns (uint256) {
        (, uint256 fees) = _pendingStakeAndFees(_delegator, _currentRound());
        return fees;
    }

    function transcoderTotalStake(address _transcoder) public view returns (uint256) {
        return delegators[_transcoder].delegatedAmount;
    }

    function transcoderStatus(address _transcoder) external view returns (TranscoderStatus) {
        return isRegisteredTranscoder(_transcoder) ? TranscoderStatus.Registered : TranscoderStatus.NotRegistered;
    }

    function delegatorStatus(address _delegator) public view returns (DelegatorStatus) {
        Delegator storage del = delegators[_delegator];
        if (del.bondedAmount == 0) {
            return DelegatorStatus.Unbonded;
        }
        if (del.startRound > _currentRound()) {
            return DelegatorStatus.Pending;
        }
        return DelegatorStatus.Bonded;
    }

    function getTranscoder(address _transcoder)
        external
        view
        returns (
            uint256 lastRewardRound,
            uint256 rewardCut,
            uint256 feeShare,
            uint256 lastActiveStakeUpdateRound,
            uint256 activationRound,
            uint256 deactivationRound,
            uint256 activeCumulativeRewards,
            uint256 cumulativeRewards,
            uint256 cumulativeFees,
            uint256 lastFeeRound
        )
    {
        Transcoder storage t = transcoders[_transcoder];
        return (
            t.lastRewardRound,
            t.rewardCut,
            t.feeShare,
            t.lastActiveStakeUpdateRound,
            t.activationRound,
            t.deactivationRound,
            t.activeCumulativeRewards,
            t.cumulativeRewards,
            t.cumulativeFees,
            t.lastFeeRound
        );
    }

    function getTranscoderEarningsPoolForRound(address _transcoder, uint256 _round)
        external
        view
        returns (
            uint256 totalStake,
            uint256 transcoderRewardCut,
            uint256 transcoderFeeShare,
            uint256 cumulativeRewardFactor,
            uint256 cumulativeFeeFactor
        )
    {
        EarningsPool storage p = transcoders[_transcoder].earningsPools[_round];
        return (
            p.totalStake,
            p.transcoderRewardCut,
            p.transcoderFeeShare,
            p.cumulativeRewardFactor,
            p.cumulativeFeeFactor
        );
    }

    function getDelegator(address _delegator)
        external
        view
        returns (
            uint256 bondedAmount,
            uint256 fees,
            address delegateAddress,
            uint256 delegatedAmount,
            uint256 startRound,
            uint256 lastClaimRound,
            uint256 nextUnbondingLockId
        )
    {
        Delegator storage d = delegators[_delegator];
        return (
            d.bondedAmount,
            d.fees,
            d.delegateAddress,
            d.delegatedAmount,
            d.startRound,
            d.lastClaimRound,
            d.nextUnbondingLockId
        );
    }

    function getDelegatorUnbondingLock(address _delegator, uint256 _unbondingLockId)
        external
        view
        returns (uint256 amount, uint256 withdrawRound)
    {
        UnbondingLock storage lock = delegators[_delegator].unbondingLocks[_unbondingLockId];
        return (lock.amount, lock.withdrawRound);
    }

    function getTranscoderPoolMaxSize() external view returns (uint256) {
        return poolMaxSize;
    }

    function getTranscoderPoolSize() external view returns (uint256) {
        return poolSize;
    }

    function getFirstTranscoderInPool() external view returns (address) {
        return poolHead;
    }

    function getNextTranscoderInPool(address _transcoder) external view returns (address) {
        return poolNodes[_transcoder].next;
    }

    function getTotalBonded() external view returns (uint256) {
        return currentRoundTotalActiveStake;
    }

    // Active from the round after it joined the pool until the round it leaves it.
    function isActiveTranscoder(address _transcoder) public view returns (bool) {
        Transcoder storage t = transcoders[_transcoder];
        uint256 round = _currentRound();
        return t.activationRound <= round && round < t.deactivationRound;
    }

    function isRegisteredTranscoder(address _transcoder) public view returns (bool) {
        Delegator storage d = delegators[_transcoder];
        return d.delegateAddress == _transcoder && d.bondedAmount > 0;
    }

    function isValidUnbondingLock(address _delegator, uint256 _unbondingLockId) public view returns (bool) {
        return delegators[_delegator].unbondingLocks[_unbondingLockId].withdrawRound > 0;
    }

    // ---- earnings and pool internals ----

    function _pendingStakeAndFees(address _delegator, uint256 _round)
        internal
        view
        returns (uint256 stake, uint256 fees)
    {
        Delegator storage del = delegators[_delegator];
        stake = del.bondedAmount;
        fees = del.fees;
        address delegate = del.delegateAddress;
        if (delegate == address(0)) {
            return (stake, fees);
        }
        Transcoder storage t = transcoders[delegate];
        if (del.lastClaimRound < _round) {
            EarningsPool storage start = t.earningsPools[del.lastClaimRound];
            uint256 startReward = start.cumulativeRewardFactor == 0 ? FACTOR_ONE : start.cumulativeRewardFactor;
            (uint256 endReward, uint256 endFee) = _latestFactors(t, _round);
            fees += (stake * (endFee - start.cumulativeFeeFactor)) / startReward;
            stake = (stake * endReward) / startReward;
        }
        if (delegate == _delegator) {
            stake += t.cumulativeRewards;
            fees += t.cumulativeFees;
        }
    }

    // The factors in effect at round _round: that round's if set, else the last round that set
    // them (reward() sets the reward factor, fees set the fee factor).
    function _latestFactors(Transcoder storage _t, uint256 _round)
        internal
        view
        returns (uint256 rewardFactor, uint256 feeFactor)
    {
        EarningsPool storage pool = _t.earningsPools[_round];
        rewardFactor = pool.cumulativeRewardFactor;
        if (rewardFactor == 0 && _t.lastRewardRound < _round) {
            rewardFactor = _t.earningsPools[_t.lastRewardRound].cumulativeRewardFactor;
        }
        if (rewardFactor == 0) {
            rewardFactor = FACTOR_ONE;
        }
        feeFactor = pool.cumulativeFeeFactor;
        if (feeFactor == 0 && _t.lastFeeRound < _round) {
            feeFactor = _t.earningsPools[_t.lastFeeRound].cumulativeFeeFactor;
        }
    }

    // Inserts after every member with at least as much stake, so equal stakes keep join order.
    function _poolInsert(address _transcoder, uint256 _stake) internal {
        address prev = address(0);
        address next = poolHead;
        while (next != address(0) && poolNodes[next].stake >= _stake) {
            prev = next;
            next = poolNodes[next].next;
        }
        poolNodes[_transcoder] = PoolNode(_stake, prev, next, true);
        if (prev == address(0)) {
            poolHead = _transcoder;
        } else {
            poolNodes[prev].next = _transcoder;
        }
        if (next == address(0)) {
            poolTail = _transcoder;
        } else {
            poolNodes[next].prev = _transcoder;
        }
        poolSize += 1;
    }

    function _poolRemove(address _transcoder) internal {
        PoolNode storage node = poolNodes[_transcoder];
        if (node.prev == address(0)) {
            poolHead = node.next;
        } else {
            poolNodes[node.prev].next = node.next;
        }
        if (node.next == address(0)) {
            poolTail = node.prev;
        } else {
            poolNodes[node.next].prev = node.prev;
        }
        delete poolNodes[_transcoder];
        poolSize -= 1;
    }
}
