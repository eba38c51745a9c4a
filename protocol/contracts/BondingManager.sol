// SPDX-License-Identifier: LGPL-2.1-or-later
pragma solidity ^0.8.20;

import "./BondingState.sol";

// Staking: delegators bond LPT to transcoders (orchestrators), transcoders with the most stake
// form the active set, earn round rewards and ticket fees, and share them with their
// delegators after taking their cut.
//
// Earnings use per-round cumulative factors: a transcoder's reward factor grows by
// (stake + delegators' reward) / stake each round it calls reward(), so a delegator's stake
// after any number of rounds is bondedAmount * factor(now) / factor(last claim), compounding
// included, with no per-delegator work per round. Fees accumulate alongside, per unit of the
// stake the round started with, valued at the reward factor of the round's start. The
// transcoder's own commission is kept apart (cumulativeRewards / cumulativeFees) until it
// claims, and earns delegator-share rewards on itself meanwhile, since it is part of the stake
// the round's rewards were computed on.
contract BondingManager is BondingState {
    constructor(address _controller, uint64 _unbondingPeriod, uint256 _numActiveTranscoders) Manager(_controller) {
        unbondingPeriod = _unbondingPeriod;
        poolMaxSize = _numActiveTranscoders;
    }

    modifier autoClaimEarnings(address _delegator) {
        _autoClaimEarnings(_delegator);
        _;
    }

    // ---- parameters ----

    function setUnbondingPeriod(uint64 _unbondingPeriod) external onlyControllerOwner {
        unbondingPeriod = _unbondingPeriod;
        emit ParameterUpdate("unbondingPeriod");
    }

    function setNumActiveTranscoders(uint256 _numActiveTranscoders) external onlyControllerOwner {
        require(_numActiveTranscoders >= poolSize, "max size must be >= current size");
        poolMaxSize = _numActiveTranscoders;
        emit ParameterUpdate("numActiveTranscoders");
    }

    // ---- transcoders ----

    function transcoder(uint256 _rewardCut, uint256 _feeShare) external {
        transcoderWithHint(_rewardCut, _feeShare, address(0), address(0));
    }

    // Hints (the neighbours in the sorted pool) are accepted for interface compatibility and
    // not needed: the pool is small enough to search.
    function transcoderWithHint(uint256 _rewardCut, uint256 _feeShare, address, address)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        require(!_roundsManager().currentRoundLocked(), "can't update transcoder params, current round is locked");
        require(_rewardCut <= PERC_DIVISOR, "invalid rewardCut percentage");
        require(_feeShare <= PERC_DIVISOR, "invalid feeShare percentage");
        require(isRegisteredTranscoder(msg.sender), "transcoder must be registered");

        Transcoder storage t = transcoders[msg.sender];
        uint256 round = _currentRound();
        require(
            !isActiveTranscoder(msg.sender) || t.lastRewardRound == round,
            "caller can't be active or must have already called reward for the current round"
        );

        t.rewardCut = _rewardCut;
        t.feeShare = _feeShare;
        if (!poolNodes[msg.sender].member) {
            _tryToJoinActiveSet(msg.sender, delegators[msg.sender].delegatedAmount, round + 1);
        }
        emit TranscoderUpdate(msg.sender, _rewardCut, _feeShare);
    }

    function reward() external {
        rewardWithHint(address(0), address(0));
    }

    function rewardWithHint(address, address) public whenSystemNotPaused whenRoundInitialized {
        uint256 round = _currentRound();
        require(isActiveTranscoder(msg.sender), "transcoder must be active");
        Transcoder storage t = transcoders[msg.sender];
        require(t.lastRewardRound != round, "caller has already called reward for the current round");

        EarningsPool storage pool = t.earningsPools[round];
        pool.transcoderRewardCut = t.rewardCut;
        pool.transcoderFeeShare = t.feeShare;
        uint256 stake = _stakeForRound(msg.sender, round);
        pool.totalStake = stake;

        uint256 minted = _minter().createReward(stake, currentRoundTotalActiveStake);
        (uint256 rewardFactor, ) = _latestFactors(t, round);
        uint256 commission = (minted * t.rewardCut) / PERC_DIVISOR;
        uint256 delegatorsShare = minted - commission;
        t.activeCumulativeRewards = t.cumulativeRewards;
        pool.roundStartRewardFactor = rewardFactor;
        if (stake > 0) {
            // The unclaimed commission is part of `stake`; what it earns goes to the transcoder.
            commission += (delegatorsShare * t.activeCumulativeRewards) / stake;
            pool.cumulativeRewardFactor = (rewardFactor * (stake + delegatorsShare)) / stake;
        } else {
            pool.cumulativeRewardFactor = rewardFactor;
        }
        t.cumulativeRewards += commission;
        t.lastRewardRound = round;

        _increaseTotalStake(msg.sender, minted);
        emit Reward(msg.sender, minted);
    }

    // Winning-ticket funds for a transcoder, split by its fee share. Only the TicketBroker pays.
    function updateTranscoderWithFees(address _transcoder, uint256 _fees, uint256) external whenSystemNotPaused {
        require(msg.sender == _peer(ID_TICKET_BROKER), "caller must be TicketBroker");
        require(isActiveTranscoder(_transcoder), "transcoder must be active");

        uint256 round = _currentRound();
        Transcoder storage t = transcoders[_transcoder];
        EarningsPool storage pool = t.earningsPools[round];
        uint256 activeRewards = t.activeCumulativeRewards;
        if (t.lastRewardRound < round) {
            // reward() has not run this round, so the round's pool is not set up yet.
            pool.transcoderRewardCut = t.rewardCut;
            pool.transcoderFeeShare = t.feeShare;
            pool.totalStake = _stakeForRound(_transcoder, round);
            activeRewards = t.cumulativeRewards;
        }
        uint256 stake = pool.totalStake;
        (uint256 rewardFactor, uint256 feeFactor) = _latestFactors(t, round);
        uint256 unitValue = t.lastRewardRound == round ? pool.roundStartRewardFactor : rewardFactor;

        uint256 delegatorsFees = (_fees * pool.transcoderFeeShare) / PERC_DIVISOR;
        uint256 commission = _fees - delegatorsFees;
        if (stake > 0) {
            commission += (delegatorsFees * activeRewards) / stake;
            feeFactor += (delegatorsFees * unitValue) / stake;
        }
        pool.cumulativeFeeFactor = feeFactor;
        if (pool.cumulativeRewardFactor == 0) {
            pool.cumulativeRewardFactor = rewardFactor;
        }
        t.cumulativeFees += commission;
        t.lastFeeRound = round;
    }

    function setCurrentRoundTotalActiveStake() external {
        require(msg.sender == _peer(ID_ROUNDS_MANAGER), "caller must be RoundsManager");
        currentRoundTotalActiveStake = nextRoundTotalActiveStake;
    }

    // ---- delegators ----

    function bond(uint256 _amount, address _to) external {
        bondWithHint(_amount, _to, address(0), address(0), address(0), address(0));
    }

    function bondWithHint(uint256 _amount, address _to, address, address, address, address)
        public
        whenSystemNotPaused
        whenRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        Delegator storage del = delegators[msg.sender];
        uint256 round = _currentRound();
        address oldDelegate = del.delegateAddress;
        uint256 oldBonded = del.bondedAmount;
        uint256 delegation = _amount;

        _requireRewardIfLeaving(_to, round);
        if (oldBonded == 0) {
            del.startRound = round + 1;
        } else if (oldDelegate != _to) {
            require(
                !isRegisteredTranscoder(msg.sender),
                "registered transcoders can't delegate towards other addresses"
            );
            del.startRound = round + 1;
            delegation += oldBonded;
            _decreaseTotalStake(oldDelegate, oldBonded);
        }
        _ensureFactors(_to, round);
        require(delegation > 0, "delegation amount must be greater than 0");

        del.delegateAddress = _to;
        del.bondedAmount = oldBonded + _amount;
        _increaseTotalStake(_to, delegation);

        if (_amount > 0) {
            require(_token().transferFrom(msg.sender, _peer(ID_MINTER), _amount), "token transfer failed");
        }
        emit Bond(_to, oldDelegate, msg.sender, _amount, del.bondedAmount);
    }

    function unbond(uint256 _amount) external {
        unbondWithHint(_amount, address(0), address(0));
    }

    function unbondWithHint(uint256 _amount, address, address)
        public
        whenSystemNotPaused
        whenRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(delegatorStatus(msg.sender) == DelegatorStatus.Bonded, "caller must be bonded");
        Delegator storage del = delegators[msg.sender];
        require(_amount > 0, "unbond amount must be greater than 0");
        require(_amount <= del.bondedAmount, "amount is greater than bonded amount");

        address delegate = del.delegateAddress;
        uint256 withdrawRound = _currentRound() + unbondingPeriod;
        uint256 lockId = del.nextUnbondingLockId;
        del.unbondingLocks[lockId] = UnbondingLock(_amount, withdrawRound);
        del.nextUnbondingLockId = lockId + 1;
        del.bondedAmount -= _amount;

        if (del.bondedAmount == 0) {
            del.delegateAddress = address(0);
            del.startRound = 0;
            if (poolNodes[msg.sender].member) {
                _resignTranscoder(msg.sender);
            }
        }
        _decreaseTotalStake(delegate, _amount);
        emit Unbond(delegate, msg.sender, lockId, _amount, withdrawRound);
    }

    function rebond(uint256 _unbondingLockId) external {
        rebondWithHint(_unbondingLockId, address(0), address(0));
    }

    function rebondWithHint(uint256 _unbondingLockId, address, address)
        public
        whenSystemNotPaused
        whenRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(delegatorStatus(msg.sender) != DelegatorStatus.Unbonded, "caller must be bonded");
        _processRebond(msg.sender, _unbondingLockId);
    }

    function rebondFromUnbonded(address _to, uint256 _unbondingLockId) external {
        rebondFromUnbondedWithHint(_to, _unbondingLockId, address(0), address(0));
    }

    function rebondFromUnbondedWithHint(address _to, uint256 _unbondingLockId, address, address)
        public
        whenSystemNotPaused
        whenRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(delegatorStatus(msg.sender) == DelegatorStatus.Unbonded, "caller must be unbonded");
        uint256 round = _currentRound();
        _ensureFactors(_to, round);
        delegators[msg.sender].startRound = round + 1;
        delegators[msg.sender].delegateAddress = _to;
        _processRebond(msg.sender, _unbondingLockId);
    }

    function withdrawStake(uint256 _unbondingLockId) external whenSystemNotPaused whenRoundInitialized {
        Delegator storage del = delegators[msg.sender];
        UnbondingLock storage lock = del.unbondingLocks[_unbondingLockId];
        require(isValidUnbondingLock(msg.sender, _unbondingLockId), "invalid unbonding lock ID");
        require(
            lock.withdrawRound <= _currentRound(),
            "withdraw round must be before or equal to the current round"
        );
        uint256 amount = lock.amount;
        uint256 withdrawRound = lock.withdrawRound;
        delete del.unbondingLocks[_unbondingLockId];
        _minter().trustedTransferTokens(msg.sender, amount);
        emit WithdrawStake(msg.sender, _unbondingLockId, amount, withdrawRound);
    }

    function withdrawFees(address payable _recipient, uint256 _amount)
        external
        whenSystemNotPaused
        whenRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(_recipient != address(0), "invalid recipient");
        uint256 fees = delegators[msg.sender].fees;
        require(fees >= _amount, "insufficient fees to withdraw");
        delegators[msg.sender].fees = fees - _amount;
        _minter().trustedWithdrawETH(_recipient, _amount);
        emit WithdrawFees(msg.sender, _recipient, _amount);
    }

    // The L1 form: all fees, to the caller.
    function withdrawFees() external whenSystemNotPaused whenRoundInitialized autoClaimEarnings(msg.sender) {
        uint256 fees = delegators[msg.sender].fees;
        require(fees > 0, "no fees to withdraw");
        delegators[msg.sender].fees = 0;
        _minter().trustedWithdrawETH(payable(msg.sender), fees);
        emit WithdrawFees(msg.sender, msg.sender, fees);
    }

    // Claims through the current round whatever _endRound says, as Livepeer does since LIP-36.
    function claimEarnings(uint256) external whenSystemNotPaused whenRoundInitialized {
        _autoClaimEarnings(msg.sender);
    }

    // ---- earnings ----

    function _autoClaimEarnings(address _delegator) internal {
        uint256 round = _currentRound();
        Delegator storage del = delegators[_delegator];
        uint256 lastClaim = del.lastClaimRound;
        if (lastClaim >= round) {
            return;
        }
        uint256 stake = del.bondedAmount;
        uint256 fees = del.fees;
        address delegate = del.delegateAddress;
        if (delegate != address(0)) {
            (stake, fees) = _pendingStakeAndFees(_delegator, round);
            // The next claim starts from this round's factors, so they must exist.
            _ensureFactors(delegate, round);
            if (delegate == _delegator) {
                Transcoder storage t = transcoders[delegate];
                t.cumulativeRewards = 0;
                t.cumulativeFees = 0;
            }
        }
        emit EarningsClaimed(delegate, _delegator, stake - del.bondedAmount, fees - del.fees, lastClaim + 1, round);
        del.lastClaimRound = round;
        del.bondedAmount = stake;
        del.fees = fees;
    }

    function _ensureFactors(address _transcoder, uint256 _round) internal {
        Transcoder storage t = transcoders[_transcoder];
        EarningsPool storage pool = t.earningsPools[_round];
        (uint256 rewardFactor, uint256 feeFactor) = _latestFactors(t, _round);
        if (pool.cumulativeRewardFactor == 0) {
            pool.cumulativeRewardFactor = rewardFactor;
        }
        if (pool.cumulativeFeeFactor == 0) {
            pool.cumulativeFeeFactor = feeFactor;
        }
    }

    // ---- stake and the pool ----

    function _processRebond(address _delegator, uint256 _unbondingLockId) internal {
        Delegator storage del = delegators[_delegator];
        require(isValidUnbondingLock(_delegator, _unbondingLockId), "invalid unbonding lock ID");
        uint256 amount = del.unbondingLocks[_unbondingLockId].amount;
        del.bondedAmount += amount;
        delete del.unbondingLocks[_unbondingLockId];
        address delegate = del.delegateAddress;
        _requireRewardIfLeaving(delegate, _currentRound());
        _increaseTotalStake(delegate, amount);
        emit Rebond(delegate, _delegator, _unbondingLockId, amount);
    }

    // A transcoder leaving the active set at the end of this round must have taken this round's
    // reward before its stake changes, or the round's reward would be computed on a stake it
    // no longer has.
    function _requireRewardIfLeaving(address _transcoder, uint256 _round) internal view {
        Transcoder storage t = transcoders[_transcoder];
        if (isActiveTranscoder(_transcoder) && t.deactivationRound != NEVER) {
            require(t.lastRewardRound == _round, "transcoder has not yet called reward for the current round");
        }
    }

    function _stakeForRound(address _transcoder, uint256 _round) internal view returns (uint256) {
        Transcoder storage t = transcoders[_transcoder];
        if (t.lastActiveStakeUpdateRound <= _round) {
            return delegators[_transcoder].delegatedAmount;
        }
        return t.earningsPools[_round].totalStake;
    }

    function _noteStakeChange(address _delegate, uint256 _oldStake, uint256 _newStake) internal {
        Transcoder storage t = transcoders[_delegate];
        uint256 round = _currentRound();
        if (t.lastActiveStakeUpdateRound <= round) {
            t.earningsPools[round].totalStake = _oldStake;
        }
        t.earningsPools[round + 1].totalStake = _newStake;
        t.lastActiveStakeUpdateRound = round + 1;
        delegators[_delegate].delegatedAmount = _newStake;
    }

    function _increaseTotalStake(address _delegate, uint256 _amount) internal {
        uint256 oldStake = delegators[_delegate].delegatedAmount;
        uint256 newStake = oldStake + _amount;
        if (poolNodes[_delegate].member) {
            _poolRemove(_delegate);
            _poolInsert(_delegate, newStake);
            nextRoundTotalActiveStake += _amount;
        } else if (isRegisteredTranscoder(_delegate)) {
            _tryToJoinActiveSet(_delegate, newStake, _currentRound() + 1);
        }
        _noteStakeChange(_delegate, oldStake, newStake);
    }

    function _decreaseTotalStake(address _delegate, uint256 _amount) internal {
        uint256 oldStake = delegators[_delegate].delegatedAmount;
        uint256 newStake = oldStake - _amount;
        if (poolNodes[_delegate].member) {
            _poolRemove(_delegate);
            _poolInsert(_delegate, newStake);
            nextRoundTotalActiveStake -= _amount;
        }
        _noteStakeChange(_delegate, oldStake, newStake);
    }

    function _tryToJoinActiveSet(address _transcoder, uint256 _stake, uint256 _activationRound) internal {
        if (poolMaxSize == 0) {
            return;
        }
        if (poolSize >= poolMaxSize) {
            address last = poolTail;
            uint256 lastStake = poolNodes[last].stake;
            if (_stake <= lastStake) {
                return;
            }
            _poolRemove(last);
            transcoders[last].deactivationRound = _activationRound;
            nextRoundTotalActiveStake -= lastStake;
            emit TranscoderDeactivated(last, _activationRound);
        }
        _poolInsert(_transcoder, _stake);
        nextRoundTotalActiveStake += _stake;
        Transcoder storage t = transcoders[_transcoder];
        t.activationRound = _activationRound;
        t.deactivationRound = NEVER;
        emit TranscoderActivated(_transcoder, _activationRound);
    }

    function _resignTranscoder(address _transcoder) internal {
        nextRoundTotalActiveStake -= poolNodes[_transcoder].stake;
        _poolRemove(_transcoder);
        uint256 deactivationRound = _currentRound() + 1;
        transcoders[_transcoder].deactivationRound = deactivationRound;
        emit TranscoderDeactivated(_transcoder, deactivationRound);
    }

}
